"""Exercises the W&B-style API surface; prints the run path. argv: mode (ok | fail)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import numpy as np

import runlog as wandb


class Args:
    def __init__(self):
        self.batch = 32
        self.opt = "adam"


run = wandb.init(project="api", entity="tester", name="api-run", tags=["a", "b"], group="g", job_type="train", notes="hello", config=Args())
wandb.config.update({"lr": 0.01})
wandb.config["epochs"] = 3
run.config.dropout = 0.5
assert wandb.config.batch == 32 and run.config["lr"] == 0.01
wandb.log({"loss": np.float32(0.5), "hist": wandb.Histogram(np.arange(100)), "img": wandb.Image(np.zeros((4, 4, 3), np.uint8), caption="zeros")})
wandb.log({"table": wandb.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])}, step=5)
wandb.log({"partial": 1}, commit=False)
wandb.log({"loss": 0.25})
deep = []
for _ in range(1000):
    deep = [deep]
try:  # a value msgpack cannot carry fails in log() itself: nothing of that call is sent, and the run goes on
    wandb.log({"loss": 1.0, "deep": deep})
    raise AssertionError("a list nested 1000 deep was accepted")
except ValueError as error:
    assert "deep" in str(error), error
row = {"loss": 0.75}
wandb.log(row)
row["loss"] = 99.0  # a logged row is a snapshot
wandb.summary["best"] = 0.9
run.summary.update({"note": "done"})
wandb.alert(title="slow", text="step took long", level="WARN")
with open("saved.txt", "w") as f:
    f.write("artifact of the run")
assert wandb.save("saved.txt") == ["saved.txt"]
print(run.path, flush=True)
if sys.argv[1] == "fail":
    with run:
        raise SystemExit(0) if False else ValueError("boom")
wandb.finish()
