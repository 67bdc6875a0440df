"""A Lightning-style module and a tiny trainer loop that drive `RunlogLogger` the way Lightning's
Trainer does. With Lightning installed, pass `RunlogLogger(...)` to `Trainer(logger=...)` instead.

    RUNLOG_CLI=../../packages/cli/bin/runlog.js /usr/bin/python3 lightning_style.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bridge", "python"))
import torch
from torch import nn

from runlog.lightning import RunlogLogger


class Classifier(nn.Module):
    def __init__(self, lr=0.1):
        super().__init__()
        self.hparams = {"lr": lr}
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))

    def training_step(self, batch):
        x, y = batch
        return nn.functional.cross_entropy(self.net(x), y)


torch.manual_seed(0)
module = Classifier()
optimizer = torch.optim.SGD(module.parameters(), lr=module.hparams["lr"])
x = torch.randn(256, 4)
y = (x[:, 0] > 0).long()
logger = RunlogLogger(project="pytorch-bridge", name="lightning-style")
logger.log_hyperparams(module.hparams)
step = 0
for epoch in range(3):
    for i in range(0, 256, 32):
        optimizer.zero_grad()
        loss = module.training_step((x[i : i + 32], y[i : i + 32]))
        loss.backward()
        optimizer.step()
        if step % 2 == 0:
            logger.log_metrics({"train_loss": loss.detach(), "epoch": epoch}, step=step)
        step += 1
logger.finalize("success")
print(f"{logger.experiment.path}: logged {step} steps as trainer/global_step")
