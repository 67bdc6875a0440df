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


MAX_DEPTH = 32
_CONTAINERS = frozenset((dict, list, tuple))


def _too_deep(value, depth):
    """Whether containers nest deeper than the bridge accepts. Only containers are walked, so a
    flat row of scalars costs one type check per value. (Debian's msgpack stops at this depth on
    its own; PyPI's packs much deeper, and the bridge would then refuse the record later.)"""
    if depth > MAX_DEPTH:
        return True
    # A plain loop and a set lookup: a third of what any() over a generator cost per flat row.
    for child in value.values() if isinstance(value, dict) else value:
        if type(child) in _CONTAINERS and _too_deep(child, depth + 1):
            return True
    return False


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
    if _too_deep(item, 0):
        raise ValueError(f"runlog cannot log this value (nested deeper than {MAX_DEPTH} levels); log numbers, strings, lists, dicts, arrays or runlog media, nested at most 32 levels deep")
    if len(packed) > MAX_RECORD_BYTES:
        raise ValueError(f"runlog cannot log {len(packed) >> 20} MiB in one call (at most {MAX_RECORD_BYTES >> 20} MiB); save large data with run.save() or an Artifact")
    return packed


def pack_records(head, packed):
    """A records message: the map `head` plus "packed", records packed back to back (PROTOCOL.md),
    spliced in as one bin32 value so they are copied once."""
    packer = msgpack.Packer(use_bin_type=True)
    parts = [packer.pack_map_header(len(head) + 1)]
    for key, value in head.items():
        parts.append(packer.pack(key))
        parts.append(packer.pack(value))
    parts.append(packer.pack("packed"))
    parts.append(struct.pack(">BI", 0xC6, len(packed)))
    parts.append(packed)
    return b"".join(parts)


def _record_ends(packed):
    unpacker = msgpack.Unpacker(max_buffer_size=max(len(packed), 1))
    unpacker.feed(packed)
    while True:
        try:
            unpacker.skip()
        except msgpack.OutOfData:
            return
        yield unpacker.tell()


def split_records(packed, limit):
    """Records packed back to back, cut at record boundaries into parts of at most `limit` bytes
    (a single larger record is a part of its own)."""
    if len(packed) <= limit:
        yield packed
        return
    start = cut = 0
    for end in _record_ends(packed):
        if end - start > limit and cut > start:
            yield packed[start:cut]
            start = cut
        cut = end
    if start < len(packed):
        yield packed[start:]


def count_records(packed):
    return sum(1 for _ in _record_ends(packed))


def unpack(frame):
    return msgpack.unpackb(frame, raw=False, strict_map_key=False)
