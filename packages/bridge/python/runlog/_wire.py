"""Turning Python values into the msgpack the bridge reads (PROTOCOL.md): numpy and torch scalars
become numbers, arrays become lists, rich types become maps tagged "__runlog__"."""

import struct
import threading

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


_packers = threading.local()
# A record is sent whole; the bridge refuses messages over 64 MiB, and W&B caps a value at far less.
MAX_RECORD_BYTES = 16 * 1024 * 1024


def pack_record(item):
    """One record, packed on the caller's thread: the bytes are a snapshot (later mutation of the
    logged dict changes nothing), a value msgpack cannot carry fails here with a clear error instead
    of in the sender thread, and bytes cost the garbage collector nothing while they wait.
    Each thread reuses its own Packer (a third cheaper than packb, which builds one per call)."""
    try:
        packer = _packers.packer
    except AttributeError:
        packer = _packers.packer = msgpack.Packer(default=_default, use_bin_type=True)
    try:
        packed = packer.pack(item)
    except (OverflowError, ValueError, TypeError) as error:
        raise ValueError(f"runlog cannot log this value ({error}); log numbers, strings, lists, dicts, arrays or runlog media, nested at most 32 levels deep") from None
    if len(packed) > MAX_RECORD_BYTES:
        raise ValueError(f"runlog cannot log {len(packed) >> 20} MiB in one call (at most {MAX_RECORD_BYTES >> 20} MiB); save large data with run.save() or an Artifact")
    return packed


def pack_records(head, items):
    """A records message: the map `head` plus "packed", the already packed records back to back
    (PROTOCOL.md), spliced in as one bin32 value so the records are copied once, by the join."""
    packer = msgpack.Packer(use_bin_type=True)
    parts = [packer.pack_map_header(len(head) + 1)]
    for key, value in head.items():
        parts.append(packer.pack(key))
        parts.append(packer.pack(value))
    parts.append(packer.pack("packed"))
    parts.append(struct.pack(">BI", 0xC6, sum(map(len, items))))
    parts.extend(items)
    return b"".join(parts)


def unpack(frame):
    return msgpack.unpackb(frame, raw=False, strict_map_key=False)
