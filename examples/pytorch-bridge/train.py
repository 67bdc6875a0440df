"""A plain PyTorch training script written the W&B way, logging to Runlog through the bridge.

    RUNLOG_CLI=../../packages/cli/bin/runlog.js /usr/bin/python3 train.py

`init()` starts a bridge with the runlog CLI (or uses RUNLOG_BRIDGE) and stops it at exit.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bridge", "python"))
import torch
from torch import nn

import runlog as wandb

config = {"lr": 0.05, "epochs": 5, "batch_size": 64, "hidden": 32}
torch.manual_seed(0)
x = torch.randn(2048, 10)
y = (x[:, :3].sum(dim=1) > 0).long()
model = nn.Sequential(nn.Linear(10, config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], 2))
optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"])

with wandb.init(project="pytorch-bridge", config=config, tags=["example"]) as run:
    wandb.define_metric("val/acc", summary="max")
    wandb.watch(model, log="all", log_freq=50)
    step = 0
    for epoch in range(config["epochs"]):
        for i in range(0, len(x), config["batch_size"]):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x[i : i + config["batch_size"]]), y[i : i + config["batch_size"]])
            loss.backward()
            optimizer.step()
            wandb.log({"train/loss": loss.item(), "epoch": epoch})
            step += 1
        with torch.no_grad():
            accuracy = (model(x).argmax(1) == y).float().mean().item()
        wandb.log({"val/acc": accuracy})
    torch.save(model.state_dict(), "model.pt")
    run.log_model("model.pt", name="pytorch-bridge-mlp", aliases=["final"])
    print(f"{run.path}: val/acc {accuracy:.3f} after {step} steps")
