"""Writes real W&B offline runs into the folder given as argv[1] (WANDB_MODE=offline).

Run 1 covers define_metric (step metric, summary, hidden), media, a table, an alert, console
output, a config update and a summary override; it is then resumed (a second offline run folder
with the same id) and logs a few more steps.
"""

import sys

import numpy as np
import wandb

out = sys.argv[1]
settings = wandb.Settings(mode="offline", x_disable_stats=False, console="wrap")

run = wandb.init(dir=out, project="imported", id="wb1", name="first try", notes="a note", tags=["a", "b"],
                 group="g", job_type="train", config={"lr": 0.01, "model": {"layers": 3, "act": "relu"}},
                 settings=settings)
run.define_metric("epoch")
run.define_metric("val/*", step_metric="epoch", summary="max")
run.define_metric("loss", summary="min,last")
run.define_metric("secret", hidden=True)
run.config.update({"batch": 32})
print("hello from the run")
for step in range(12):
    row = {"loss": 1.0 / (step + 1), "acc": step / 12, "secret": step * 2}
    if step % 4 == 3:
        row["val/acc"] = step / 10
        row["epoch"] = step // 4
    if step == 5:
        row["img"] = wandb.Image(np.arange(48, dtype=np.uint8).reshape(4, 4, 3), caption="tiny")
        row["tab"] = wandb.Table(columns=["x", "y"], data=[[1, "one"], [2, "two"]])
    run.log(row)
run.log({"late": 7.5}, step=20)
run.alert(title="slow", text="loss plateaued", level=wandb.AlertLevel.WARN)
run.summary["best_note"] = "fine"
run.finish()

resumed = wandb.init(dir=out, project="imported", id="wb1", resume="allow", settings=settings)
for step in range(3):
    resumed.log({"loss": 0.01 * (step + 1), "acc": 0.9})
resumed.finish(exit_code=0)
