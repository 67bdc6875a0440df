"""A real torch training loop logging the W&B way. argv: steps, sleep-every (0 = never), out json path."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import torch
from torch import nn

import runlog as wandb

steps, sleep_every, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
x = torch.randn(64, 8)
y = x.sum(dim=1, keepdim=True)
run = wandb.init(project="torch", entity="tester", config={"lr": 0.05, "hidden": 16}, settings={"crash_timeout": 30})
wandb.define_metric("val/loss", summary="min")
print(f"started {run.path}", flush=True)
losses = []
for step in range(steps):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    row = {"train/loss": loss, "lr": optimizer.param_groups[0]["lr"]}
    if step % 100 == 0:
        row["val/loss"] = loss.item() * 1.1
    wandb.log(row)
    if step % 100 == 0:
        print(f"step {step}", flush=True)  # progress, so a test can act at a known point
    if sleep_every and step % sleep_every == 0:
        time.sleep(0.01)
wandb.summary["final_loss"] = losses[-1]
with open(out, "w") as f:
    json.dump({"path": run.path, "losses": losses, "spilled": run._connection.spilled}, f)
wandb.finish()
