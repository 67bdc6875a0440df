"""Logs MLflow runs with the real mlflow into the tracking URI argv[1] (a file store or SQLite):
experiment "vision exp": a parent run (params, tags, a note, several metrics at one step, NaN and
infinities, a 3,000-step series, artifacts) with a nested child, a failed run and a deleted run;
experiment "audio": one plain run. Deterministic apart from ids and times."""

import math
import os
import sys

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric

uri = sys.argv[1]
mlflow.set_tracking_uri(uri)
client = MlflowClient(uri)

mlflow.set_experiment("vision exp")
with mlflow.start_run(run_name="parent", description="the parent run") as parent:
    mlflow.log_params({"lr": 0.01, "optimizer": "adam", "layers": 3})
    mlflow.set_tags({"team": "cv", "stage": "dev", "mlflow.source.git.commit": "abc123"})
    for step in range(5):
        mlflow.log_metrics({"loss": 1.0 / (step + 1), "acc": step / 5, "val/acc": step / 10}, step=step)
    mlflow.log_metric("odd", float("nan"), step=2)
    mlflow.log_metric("odd", float("inf"), step=3)
    mlflow.log_metric("odd", float("-inf"), step=4)
    # A long series: logged in batches of 1,000 (MLflow's limit per batch).
    run_id = parent.info.run_id
    base = 1_700_000_000_000
    series = [Metric("long", math.sin(step / 50), base + step, step) for step in range(10, 3010)]
    for at in range(0, len(series), 1000):
        client.log_batch(run_id, metrics=series[at : at + 1000])
    mlflow.log_text("hello artifacts", "readme.txt")
    mlflow.log_dict({"a": 1}, "nested/config.json")
    with mlflow.start_run(run_name="child", nested=True):
        mlflow.log_param("fold", 1)
        mlflow.log_metric("loss", 0.5, step=0)
        mlflow.log_metric("loss", 0.25, step=1)

try:
    with mlflow.start_run(run_name="broken"):
        mlflow.log_metric("x", 1.0, step=0)
        raise RuntimeError("boom")
except RuntimeError:
    pass

with mlflow.start_run(run_name="gone") as gone:
    mlflow.log_metric("x", 2.0)
client.delete_run(gone.info.run_id)

mlflow.set_experiment("audio")
with mlflow.start_run(run_name="plain"):
    mlflow.log_param("sr", 16000)
    mlflow.log_metric("wer", 0.3, step=7)
