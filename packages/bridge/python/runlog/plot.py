"""`wandb.plot.*`: custom charts. The client sends the chart's name and arguments; the bridge builds
the table and the Vega-Lite spec with the Runlog core's `plot` (the same charts as the TS client)."""
from .data_types import Table


class CustomChart:
    _log_type = "custom-chart"

    def __init__(self, kind, table, args):
        self.kind, self.table, self.args = kind, table, args

    def _to_wire(self):
        table = self.table._to_wire() if self.table is not None else {"__runlog__": "table", "columns": [], "data": []}
        return {"__runlog__": "plot", "kind": self.kind, "table": {k: v for k, v in table.items() if k != "__runlog__"}, "args": self.args}


def _table(table, *columns):
    if not isinstance(table, Table):
        raise TypeError(f"expected a runlog Table, got {type(table).__name__}")
    for column in columns:
        if column not in table.columns:
            raise ValueError(f"Table has no column {column!r} (columns: {table.columns})")
    return table


# W&B's preset charts (plot_table's vega_spec_name) and the fields each takes, as the kinds the core draws.
PRESETS = {"wandb/line/v0": ("line", ("x", "y")), "wandb/scatter/v0": ("scatter", ("x", "y")), "wandb/bar/v0": ("bar", ("label", "value")),
           "wandb/histogram/v0": ("histogram", ("value",))}


def plot_table(vega_spec_name, data_table, fields, string_fields=None, split_table=False):
    """W&B's custom chart from a preset: its table, with `fields` naming the columns the preset plots."""
    if vega_spec_name not in PRESETS:
        from .errors import UsageError

        raise UsageError(f"plot_table draws W&B's presets {', '.join(PRESETS)}; {vega_spec_name!r} is not one of them", code="MODE_UNAVAILABLE")
    kind, names = PRESETS[vega_spec_name]
    missing = [name for name in names if name not in (fields or {})]
    if missing:
        raise ValueError(f"plot_table({vega_spec_name!r}) needs fields {missing}")
    title = (string_fields or {}).get("title", "")
    if kind == "histogram":
        return histogram(data_table, fields["value"], title=title)
    if kind == "bar":
        return bar(data_table, fields["label"], fields["value"], title=title)
    return (line if kind == "line" else scatter)(data_table, fields["x"], fields["y"], title=title)


def line(table, x, y, stroke=None, title="", split_table=False):
    return CustomChart("line", _table(table, x, y), {"x": x, "y": y, "title": title})


def scatter(table, x, y, title="", split_table=False):
    return CustomChart("scatter", _table(table, x, y), {"x": x, "y": y, "title": title})


def bar(table, label, value, title="", split_table=False):
    return CustomChart("bar", _table(table, label, value), {"x": label, "y": value, "title": title})


def histogram(table, value, title="", split_table=False):
    return CustomChart("histogram", _table(table, value), {"value": value, "title": title})


def line_series(xs, ys, keys=None, title="", xname="x", split_table=False):
    ys = [y.tolist() if hasattr(y, "tolist") else list(y) for y in ys]
    return CustomChart("line_series", None, {"xs": list(xs), "ys": ys, "keys": list(keys) if keys else None, "title": title, "xname": xname})


def pr_curve(y_true=None, y_probas=None, labels=None, classes_to_plot=None, interp_size=21, title="Precision-Recall Curve", split_table=False):
    return CustomChart("pr_curve", None, {"y_true": _plain(y_true), "y_probas": _plain(y_probas), "labels": labels, "title": title})


def roc_curve(y_true=None, y_probas=None, labels=None, classes_to_plot=None, title="ROC Curve", split_table=False):
    return CustomChart("roc_curve", None, {"y_true": _plain(y_true), "y_probas": _plain(y_probas), "labels": labels, "title": title})


def confusion_matrix(probs=None, y_true=None, preds=None, class_names=None, title="Confusion Matrix Curve", split_table=False):
    if preds is None and probs is not None:
        preds = [max(range(len(row)), key=row.__getitem__) for row in _plain(probs)]
    return CustomChart("confusion_matrix", None, {"y_true": _plain(y_true), "preds": _plain(preds), "class_names": class_names, "title": title})


def _plain(values):
    return values.tolist() if hasattr(values, "tolist") else list(values) if values is not None else None
