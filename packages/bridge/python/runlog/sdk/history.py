"""The client's mirror of W&B's step/commit rules and define_metric summaries, so that `run.step`
and `run.summary` are readable right after `log()` without asking the bridge (which applies the
same rules to the records it stores; the oracle corpus checks both against the real wandb)."""
import warnings

from ..errors import Error

SUMMARY_OPS = ("min", "max", "mean", "last", "first", "copy", "none")
# Values that are their own summary (no numpy/torch conversion to look for).
_SCALARS = frozenset((int, float, str, bool, type(None)))


def parse_summary(summary):
    """W&B's `summary="min,max"` → ["min", "max"]; an unknown op is a runlog.Error as in wandb."""
    if not summary:
        return None
    ops = [part.strip().lower() for part in summary.split(",")]
    for op in ops:
        if op not in SUMMARY_OPS:
            raise Error(f"Unhandled define_metric() arg: summary op: {op}", code="INVALID_ARGUMENT")
    return ops


class _Aggregate:
    """One key's summary under define_metric(summary=...): W&B keeps a map of the requested ops."""

    __slots__ = ("ops", "values", "count", "total")

    def __init__(self, ops):
        self.ops, self.values, self.count, self.total = ops, {}, 0, 0.0

    def add(self, value):
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        for op in self.ops:
            if op in ("last", "copy"):
                self.values["last"] = value
            elif op == "first":
                self.values.setdefault("first", value)
            elif numeric and op == "min":
                self.values["min"] = value if "min" not in self.values else min(self.values["min"], value)
            elif numeric and op == "max":
                self.values["max"] = value if "max" not in self.values else max(self.values["max"], value)
        if numeric and "mean" in self.ops:
            self.count += 1
            self.total += value
            self.values["mean"] = self.total / self.count


class History:
    """Pending row, current step, and the summary the committed rows produce."""

    def __init__(self, step=0):
        self.step = step
        self.pending = {}
        self.summary = {}
        self._metrics = {}  # exact name → ops
        self._globs = []  # (prefix, ops), in definition order
        self._aggregates = {}

    def define(self, name, summary_ops):
        if summary_ops is None:
            return
        if name.endswith("*"):
            self._globs.append((name[:-1], summary_ops))
        else:
            self._metrics[name] = summary_ops
        for key in list(self._aggregates):
            if self._ops_of(key) is not None:
                self._aggregates.pop(key)
        # As W&B: a value logged before the definition counts in the new summary.
        for key, value in list(self.summary.items()):
            if not isinstance(value, dict) and key not in self._aggregates and self._ops_of(key) is not None:
                self._summarize(key, value)

    def log(self, data, step=None, commit=None):
        """Applies one log() call; returns False when W&B would drop it (a step below the current)."""
        if step is not None:
            if step < self.step:
                warnings.warn(
                    f"runlog: tried to log to step {step} that is less than the current step {self.step}; "
                    "steps must be monotonically increasing, so this data is ignored (as in W&B).",
                    stacklevel=4,
                )
                return False
            if step > self.step:
                self._commit()
                self.step = step
        if commit is None and step is None and not self.pending and not self._metrics and not self._globs:
            # The training loop's call: a row committed at once, every key's summary its last value.
            if data:
                summary = self.summary
                for key, value in data.items():
                    summary[key] = value if type(value) in _SCALARS else _plain(value)
            self.step += 1
            return True
        self.pending.update(data)
        if commit or (commit is None and step is None):
            if not self.pending:
                self.step += 1  # W&B counts an empty committed log() as a step too
            self._commit()
        return True

    def flush(self):
        self._commit()

    def _commit(self):
        if not self.pending:
            return
        for key, value in self.pending.items():
            self._summarize(key, value)
        self.pending = {}
        self.step += 1

    def _ops_of(self, key):
        if key in self._metrics:
            return self._metrics[key]
        if not key.startswith("_"):
            for prefix, ops in self._globs:
                if key.startswith(prefix):
                    return ops
        return None

    def _summarize(self, key, value):
        value = _plain(value)
        ops = self._ops_of(key)
        if ops is None:
            self.summary[key] = value
            return
        if ops == ["none"]:
            self.summary.pop(key, None)
            return
        aggregate = self._aggregates.get(key)
        if aggregate is None:
            aggregate = self._aggregates[key] = _Aggregate([op for op in ops if op != "none"])
        aggregate.add(value)
        self.summary[key] = dict(aggregate.values)


def _plain(value):
    """numpy/torch scalars and arrays as Python values, as W&B's summary holds them."""
    if getattr(value, "shape", None) is not None:
        if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
            return value.item()
        if hasattr(value, "tolist"):
            return value.tolist()
    return value
