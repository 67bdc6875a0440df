"""W&B's data types for the Python client: they travel to the bridge as tagged maps and become
the Runlog core's Histogram, Image and Table there."""


class Histogram:
    """`Histogram(sequence, num_bins=64)` or `Histogram(np_histogram=(counts, edges))`."""

    def __init__(self, sequence=None, np_histogram=None, num_bins=64):
        if np_histogram is not None:
            counts, edges = np_histogram
            self.values = [float(c) for c in _list(counts)]
            self.bins = [float(e) for e in _list(edges)]
        else:
            if sequence is None:
                raise ValueError("Histogram needs a sequence or np_histogram=(counts, edges)")
            data = [float(x) for x in _flat(sequence) if x == x and abs(float(x)) != float("inf")]
            if not data:
                self.values, self.bins = [0.0], [0.0, 1.0]
                return
            low, high = min(data), max(data)
            if low == high:
                self.values, self.bins = [float(len(data))], [low, high]
                return
            width = (high - low) / num_bins
            counts = [0] * num_bins
            for x in data:
                counts[min(num_bins - 1, int((x - low) / width))] += 1
            self.values = [float(c) for c in counts]
            self.bins = [low + i * width for i in range(num_bins + 1)]
        if len(self.bins) != len(self.values) + 1:
            raise ValueError("a histogram needs one more bin edge than counts")

    def _to_wire(self):
        return {"__runlog__": "histogram", "values": self.values, "bins": self.bins}


class Image:
    """An image from a numpy array (H×W, H×W×1/3/4; floats in [0, 1] or uint8) or a PIL image."""

    def __init__(self, data, caption=None):
        self.caption = caption
        if hasattr(data, "convert") and hasattr(data, "size"):  # PIL
            image = data.convert("RGB")
            width, height = image.size
            self.shape = [height, width, 3]
            self.data = image.tobytes()
            return
        array = data.detach().cpu().numpy() if hasattr(data, "detach") else data
        import numpy as np

        array = np.asarray(array)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
            raise ValueError(f"Image needs H×W or H×W×C with C in 1, 3, 4; got shape {array.shape}")
        if array.dtype != np.uint8:
            array = np.clip(array * (255 if array.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
        self.shape = list(array.shape)
        self.data = array.tobytes()

    def _to_wire(self):
        wire = {"__runlog__": "image", "data": self.data, "shape": self.shape}
        if self.caption is not None:
            wire["caption"] = str(self.caption)
        return wire


class Table:
    """`Table(columns=[...], data=[[...], ...])`, or a pandas DataFrame via `dataframe=`."""

    def __init__(self, columns=None, data=None, dataframe=None):
        if dataframe is not None:
            columns = [str(c) for c in dataframe.columns]
            data = dataframe.values.tolist()
        self.columns = list(columns or [])
        self.data = [list(row) for row in (data or [])]

    def add_data(self, *row):
        if len(row) != len(self.columns):
            raise ValueError(f"add_data needs {len(self.columns)} values, got {len(row)}")
        self.data.append(list(row))

    def _to_wire(self):
        return {"__runlog__": "table", "columns": self.columns, "data": self.data}


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
