"""The client's step/summary mirror and the record depth check, against their general paths (no bridge)."""
import os
import random
import sys
import warnings

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from runlog import wire as _wire
from runlog.sdk.history import History


def _rows(seed):
    rng = random.Random(seed)
    values = [0.5, 3, True, None, "text", np.float32(1.5), np.int64(7), np.arange(3), float("nan"), {"nested": 1}, [1, 2]]
    calls = []
    for _ in range(300):
        row = {f"k{rng.randrange(6)}": rng.choice(values) for _ in range(rng.randrange(0, 4))}
        kind = rng.randrange(6)
        step = commit = None
        if kind == 0:
            commit = rng.choice([True, False])
        elif kind == 1:
            step = rng.randrange(0, 400)
        calls.append((row, step, commit))
    return calls


def _same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        x, y = a[key], b[key]
        assert type(x) is type(y) and (x == y or (x != x and y != y)), key


@pytest.mark.parametrize("seed", range(5))
def test_the_plain_log_call_keeps_the_step_and_summary_of_the_general_path(seed):
    fast = History()
    general = History()
    general._metrics["never_logged"] = ["min"]  # any defined metric takes the general path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # steps below the current one warn on both paths
        for row, step, commit in _rows(seed):
            assert fast.log(dict(row), step, commit) == general.log(dict(row), step, commit)
            assert fast.step == general.step
            assert fast.pending.keys() == general.pending.keys()
            _same(fast.summary, general.summary)
    fast.flush()
    general.flush()
    assert fast.step == general.step
    _same(fast.summary, general.summary)


def test_numpy_values_reach_the_summary_as_python_values_on_the_fast_path():
    history = History()
    assert history.log({"a": np.float32(2.0), "b": np.arange(2), "c": 1}) and history.step == 1
    assert history.summary == {"a": 2.0, "b": [0, 1], "c": 1} and type(history.summary["a"]) is float
    assert history.log({}) and history.step == 2  # an empty committed log() is a step, as in W&B


def _reference_too_deep(value, depth):
    if depth > _wire.MAX_DEPTH:
        return True
    children = value.values() if isinstance(value, dict) else value
    return any(type(child) in (dict, list, tuple) and _reference_too_deep(child, depth + 1) for child in children)


def test_the_depth_check_refuses_exactly_what_the_general_walk_refuses():
    for depth in range(28, 36):
        for wrap in (lambda v: [v], lambda v: {"x": v}, lambda v: (1, v), lambda v: [0, {"y": [v]}]):
            value = 1.0
            for _ in range(depth):
                value = wrap(value)
            record = ("log", {"deep": value, "flat": 2})
            assert _wire._too_deep(record, 0) == _reference_too_deep(record, 0)
    assert not _wire._too_deep(("log", {f"m{k}": float(k) for k in range(10)}), 0)

