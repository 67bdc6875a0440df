"""Unit tests of the Python client that need no bridge (run with Debian's python3-pytest)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import runlog
from runlog import wire as _wire


def test_histogram_bins_like_numpy_and_drops_non_finite():
    data = np.array([0.0, 1.0, 1.0, 2.0, np.nan, np.inf])
    hist = runlog.Histogram(data, num_bins=4)
    counts, edges = np.histogram(data[np.isfinite(data)], bins=4)
    assert hist.values == counts.tolist()
    assert np.allclose(hist.bins, edges)
    assert runlog.Histogram(np_histogram=([1, 2], [0, 1, 2])).values == [1.0, 2.0]
    with pytest.raises(ValueError):
        runlog.Histogram(np_histogram=([1, 2], [0, 1]))


def test_image_from_floats_and_table_rows():
    # W&B 0.31 casts to uint8 without rescaling: 1.0 stays 1, 300 wraps to 44.
    image = runlog.Image(np.array([[1.0, 1.0, 300.0], [1.0, 1.0, 1.0]]), caption="c")
    assert image._shape == [2, 3, 1] and image._pixels == bytes([1, 1, 44, 1, 1, 1]) and image.mode == "L"
    with pytest.raises(ValueError):
        runlog.Image(np.zeros((2, 2, 2)))
    table = runlog.Table(columns=["a"])
    table.add_data(1)
    with pytest.raises(ValueError):
        table.add_data(1, 2)
    assert table._to_wire() == {"__runlog__": "table", "columns": ["a"], "data": [[1]]}


def test_wire_turns_numpy_and_objects_into_msgpack():
    message = _wire.unpack(_wire.pack({"f": np.float64(1.5), "a": np.arange(3), "t": (1, 2), "h": runlog.Histogram([1, 2])}))
    assert message["f"] == 1.5 and message["a"] == [0, 1, 2] and message["t"] == [1, 2]
    assert message["h"]["__runlog__"] == "histogram"


def test_a_record_is_packed_once_on_the_calling_thread_and_bad_ones_fail_there():
    row = {"loss": 0.5, "n": np.int64(3)}
    packed = _wire.pack_record(("log", row))
    row["loss"] = 9.0  # the bytes are the snapshot
    assert _wire.unpack(packed) == ["log", {"loss": 0.5, "n": 3}]
    both = packed + _wire.pack_record(("summary", {"a": 1}))
    frame = _wire.unpack(_wire.pack_records({"v": 1, "t": "records", "run": "r", "seq": 2}, both))
    assert frame["seq"] == 2 and frame["packed"] == both and _wire.count_records(both) == 2
    with pytest.raises(ValueError, match="16 MiB"):
        _wire.pack_record(("log", {"blob": b"\0" * (17 << 20)}))
    deep = []
    for _ in range(1000):
        deep = [deep]
    with pytest.raises(ValueError, match="32 levels"):
        _wire.pack_record(("log", {"deep": deep}))


def test_batches_are_cut_at_record_boundaries():
    records = [_wire.pack_record(("log", {"i": i, "pad": "x" * (i % 7) * 10})) for i in range(500)]
    packed = b"".join(records)
    for limit in (1, 100, 1000, len(packed) - 1, len(packed)):
        parts = list(_wire.split_records(packed, limit))
        assert b"".join(parts) == packed
        assert sum(_wire.count_records(part) for part in parts) == 500
        assert all(len(part) <= limit or _wire.count_records(part) == 1 for part in parts)
    assert list(_wire.split_records(packed, len(packed))) == [packed]


def test_finish_reports_how_many_records_a_missing_bridge_never_got():
    from runlog.sdk.connection import Connection
    from runlog.sdk.run import Run

    connection = Connection("tcp://127.0.0.1:9")  # nothing listens there: no ack ever comes
    try:
        connection.register("r1", {})
        described = {"id": "r1", "name": "n", "entity": "e", "project": "p", "path": "e/p/r1", "dir": "."}
        run = Run(connection, described, {}, {"finish_timeout": 0.3})
        for i in range(3):
            run.log({"i": i})
        run.summary["best"] = 1
        with pytest.warns(UserWarning, match="4 records of run r1 were not delivered"):
            run.finish()
    finally:
        connection.close()


def test_disabled_mode_and_no_run_errors():
    run = runlog.init(mode="disabled", config={"x": 1})
    run.log({"a": 1})
    assert run.config.x == 1
    run.finish()
    with pytest.raises(runlog.UsageError, match="runlog.init"):
        runlog.log({"a": 1})


def test_init_without_a_bridge_says_how_to_start_one(monkeypatch):
    monkeypatch.delenv("RUNLOG_BRIDGE", raising=False)
    monkeypatch.delenv("RUNLOG_CLI", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(runlog.BridgeNotFound, match="runlog bridge"):
        runlog.init(project="p")


def test_lightning_logger_is_a_no_op_off_rank_zero(monkeypatch):
    from runlog.lightning import RunlogLogger

    monkeypatch.setenv("RANK", "1")
    monkeypatch.delenv("RUNLOG_BRIDGE", raising=False)
    logger = RunlogLogger(project="p", version="abc")
    logger.log_hyperparams({"lr": 1})
    logger.log_metrics({"loss": 1.0}, step=0)
    logger.experiment.log({"anything": 1})  # a stand-in: no run, no bridge needed
    logger.finalize("success")
    assert (logger.name, logger.version) == ("p", "abc")
    assert runlog.run is None


def test_watch_histograms_drop_non_finite_values_and_handle_constants():
    import torch
    from runlog.sdk.watch import tensor_histogram

    counts, edges = tensor_histogram(torch.tensor([0.0, 1.0, float("nan"), float("inf"), 2.0]))
    assert sum(counts) == 3 and edges[0] == 0.0 and edges[-1] == 2.0 and len(edges) == 65
    assert tensor_histogram(torch.tensor([float("nan"), float("inf")])) is None
    assert tensor_histogram(torch.full((5,), 3.0)) == ([5.0], [3.0, 3.0])
    assert tensor_histogram(torch.tensor([], dtype=torch.float32)) is None
    counts, _ = tensor_histogram(torch.tensor([1, 2, 3], dtype=torch.int64))
    assert sum(counts) == 3
