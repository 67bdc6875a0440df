"""Reads a W&B offline run (`run-<id>.wandb`) with W&B's own record schema
(`wandb.proto.wandb_internal_pb2.Record`). The framing is LevelDB's log format, as in W&B's
datastore: a 7-byte ":W&B" header, 32 KiB blocks, chunks of CRC-32 + length + FULL/FIRST/MIDDLE/LAST."""
import json
import struct
import zlib

BLOCK = 32 * 1024
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


def _chunks(data):
    pos, pending = 7, b""
    while pos + 7 <= len(data):
        left = BLOCK - pos % BLOCK
        if left < 7:
            pos += left
            continue
        checksum, length, kind = struct.unpack("<IHB", data[pos:pos + 7])
        if kind == 0 and length == 0:
            pos += left
            continue
        body = data[pos + 7:pos + 7 + length]
        # W&B's checksum: CRC-32 of the type byte and the body (masked like LevelDB's is not used).
        if zlib.crc32(bytes([kind]) + body) & 0xFFFFFFFF != checksum:
            raise ValueError(f"bad chunk checksum at offset {pos}")
        pos += 7 + length
        if kind == FULL:
            yield body
        elif kind == FIRST:
            pending = body
        elif kind == MIDDLE:
            pending += body
        elif kind == LAST:
            yield pending + body
            pending = b""


def _path(item):
    return list(item.nested_key) or [item.key]


def _set(target, path, value):
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value


def _unset(target, path):
    for part in path[:-1]:
        target = target.get(part, {})
    target.pop(path[-1], None)


def read_run(path):
    """{"history": [rows], "summary": {...}, "config": {...}, "exit_code": n} of one offline run."""
    from wandb.proto import wandb_internal_pb2 as pb

    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b":W&B":
        raise ValueError(f"{path} is not a W&B transaction log")
    history, summary, config, exit_code = [], {}, {}, None
    for chunk in _chunks(data):
        record = pb.Record()
        record.ParseFromString(chunk)
        kind = record.WhichOneof("record_type")
        if kind == "history":
            row = {}
            for item in record.history.item:
                _set(row, _path(item), json.loads(item.value_json))
            history.append(row)
        elif kind == "summary":
            for item in record.summary.update:
                _set(summary, _path(item), json.loads(item.value_json))
            for item in record.summary.remove:
                _unset(summary, _path(item))
        elif kind in ("run", "config"):
            updates = record.run.config if kind == "run" else record.config
            for item in updates.update:
                _set(config, _path(item), json.loads(item.value_json))
            for item in updates.remove:
                _unset(config, _path(item))
        elif kind == "exit":
            exit_code = record.exit.exit_code
    return {"history": history, "summary": summary, "config": config, "exit_code": exit_code}
