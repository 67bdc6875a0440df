"""`Histogram(sequence, num_bins=64)` or `Histogram(np_histogram=(counts, edges))`, as W&B."""


class Histogram:
    _log_type = "histogram"
    MAX_LENGTH = 512

    def __init__(self, sequence=None, np_histogram=None, num_bins=64):
        if np_histogram is not None:
            if len(np_histogram) != 2:
                raise ValueError("Expected np_histogram to be a tuple of (values, bin_edges) or sequence to be specified")
            counts, edges = np_histogram
            self.histogram = [float(c) for c in _list(counts)]
            self.bins = [float(e) for e in _list(edges)]
        else:
            if sequence is None:
                raise ValueError("Expected np_histogram to be a tuple of (values, bin_edges) or sequence to be specified")
            self.histogram, self.bins = _bin(_flat(sequence), num_bins)
        if len(self.histogram) > self.MAX_LENGTH:
            raise ValueError(f"The maximum length of a histogram is {self.MAX_LENGTH}")
        if len(self.bins) != len(self.histogram) + 1:
            raise ValueError("len(bins) must be len(histogram) + 1")

    def _to_wire(self):
        return {"__runlog__": "histogram", "values": self.histogram, "bins": self.bins}

    def _to_json(self):
        return {"_type": "histogram", "values": self.histogram, "bins": self.bins}


def _bin(values, num_bins):
    """numpy.histogram's bins (W&B calls it) without needing numpy."""
    try:
        import numpy as np
    except ImportError:
        np = None
    data = [float(x) for x in values if x == x and abs(float(x)) != float("inf")]
    if np is not None:
        counts, edges = np.histogram(np.asarray(data, dtype=float), bins=num_bins)
        return [float(c) for c in counts], [float(e) for e in edges]
    low, high = (min(data), max(data)) if data else (0.0, 1.0)
    if low == high:
        low, high = low - 0.5, high + 0.5
    width = (high - low) / num_bins
    counts = [0] * num_bins
    for x in data:
        counts[min(num_bins - 1, int((x - low) / width))] += 1
    return [float(c) for c in counts], [low + i * width for i in range(num_bins + 1)]


def _list(values):
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _flat(values):
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    if hasattr(values, "ravel"):
        return values.ravel().tolist()
    out = []
    for value in values:
        if isinstance(value, (list, tuple)):
            out.extend(_flat(value))
        else:
            out.append(value)
    return out


Histogram.values = property(lambda self: self.histogram)
