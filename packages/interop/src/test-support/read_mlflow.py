"""Prints as JSON what mlflow.client.MlflowClient reads from the tracking URI argv[1]: every active
run of every active experiment with its info, params, tags, metric histories and artifact paths.
NaN and infinities are written as the strings "NaN", "Infinity", "-Infinity"."""

import json
import math
import sys

from mlflow import MlflowClient
from mlflow.entities import ViewType

client = MlflowClient(sys.argv[1])


def number(value):
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def artifacts(run_id, path=None):
    found = []
    for item in client.list_artifacts(run_id, path):
        found.extend(artifacts(run_id, item.path) if item.is_dir else [item.path])
    return found


out = {}
for experiment in client.search_experiments(view_type=ViewType.ACTIVE_ONLY):
    runs = {}
    for run in client.search_runs([experiment.experiment_id], run_view_type=ViewType.ACTIVE_ONLY, max_results=1000):
        history = {}
        for key in run.data.metrics:
            points = client.get_metric_history(run.info.run_id, key)
            history[key] = [[p.step, p.timestamp, number(p.value)] for p in points]
        runs[run.info.run_id] = {
            "name": run.info.run_name,
            "status": run.info.status,
            "start_time": run.info.start_time,
            "end_time": run.info.end_time,
            "params": run.data.params,
            "tags": run.data.tags,
            "metrics": history,
            "artifacts": sorted(artifacts(run.info.run_id)),
        }
    out[experiment.name] = runs
print(json.dumps(out))
