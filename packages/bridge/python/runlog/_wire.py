"""Turning Python values into the msgpack the bridge reads (PROTOCOL.md): numpy and torch scalars
become numbers, arrays become lists, rich types become maps tagged "__runlog__"."""

import msgpack


def _default(value):
    to_wire = getattr(value, "_to_wire", None)
    if to_wire is not None:
        return to_wire()
    item = getattr(value, "item", None)
    shape = getattr(value, "shape", None)
    if item is not None and shape is not None and (shape == () or shape == [] or getattr(value, "ndim", 1) == 0):
        return item()  # numpy or torch scalar
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()  # numpy array / torch tensor (on CPU)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "__fspath__"):
        return str(value)
    if hasattr(value, "__dict__") and not callable(value):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}  # argparse.Namespace and the like
    return repr(value)


def pack(message):
    return msgpack.packb(message, default=_default, use_bin_type=True)


def unpack(frame):
    return msgpack.unpackb(frame, raw=False, strict_map_key=False)


