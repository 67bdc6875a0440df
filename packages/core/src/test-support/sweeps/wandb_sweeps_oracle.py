"""W&B's own sweep engine (the `sweeps` package) as the oracle of the engine tests.

Reads one JSON request on stdin, prints one JSON answer. Run with .venv-sweeps's python.
"""
import json
import random
import sys
import warnings

warnings.filterwarnings("ignore", category=UserWarning)  # pydantic's notes on sweeps' old config keys

import numpy as np
import sweeps
from sweeps import RunState, SweepRun
from sweeps.params import HyperParameter, HyperParameterSet


def unwrap(config):
    return {k: v["value"] for k, v in config.items()}


def wrap(params):
    return {k: {"value": v} for k, v in params.items()}


def validate(config):
    """W&B accepts a config when its validator does and its engine can start the sweep."""
    try:
        filled = sweeps.SweepConfig(config)
        sweeps.next_run(filled, [])
        if "early_terminate" in filled:
            sweeps.stop_runs(filled, [])
    except Exception as error:  # noqa: BLE001 - any refusal is a reject
        return {"accepted": False, "error": f"{type(error).__name__}: {error}"}
    return {"accepted": True}


def grid(config, seen):
    runs = [SweepRun(name=f"seen-{i}", state=RunState.finished, config=wrap(p)) for i, p in enumerate(seen)]
    order = []
    while True:
        run = sweeps.next_run(config, runs)
        if run is None:
            return order
        order.append(unwrap(run.config))
        runs.append(SweepRun(name=f"run-{len(runs)}", state=RunState.finished, config=run.config))


def stop(config, trials):
    runs = [
        SweepRun(name=t["runId"], state=t["state"], history=[{config["metric"]["name"]: v} for v in t["metricHistory"]])
        for t in trials
    ]
    return [run.name for run in sweeps.stop_runs(config, runs)]


def ppf(spec, xs):
    param = HyperParameter("p", spec)
    return [np.asarray(param.ppf(x)).item() for x in xs]


def sample(spec, n, seed):
    random.seed(seed)
    np.random.seed(seed)
    param = HyperParameter("p", spec)
    return [np.asarray(param.sample()).item() for _ in range(n)]


def answer_one(request):
    op = request["op"]
    if op == "validate":
        answer = [validate(c) for c in request["configs"]]
    elif op == "grid":
        answer = grid(request["config"], request.get("seen", []))
    elif op == "stop":
        answer = stop(request["config"], request["trials"])
    elif op == "ppf":
        answer = ppf(request["spec"], request["xs"])
    elif op == "sample":
        answer = sample(request["spec"], request["n"], request["seed"])
    elif op == "batch":
        answer = [answer_one(r) for r in request["requests"]]
    else:
        raise SystemExit(f"unknown op {op}")
    return answer


def main():
    json.dump(answer_one(json.loads(sys.stdin.read())), sys.stdout)


if __name__ == "__main__":
    main()
