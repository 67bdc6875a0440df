"""Trains a small MLP with run.watch(log="all", log_freq=2) and writes the histograms torch.histc gives
directly for the same tensors, so the test can compare. argv: out json path."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import torch
from torch import nn

import runlog

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
run = runlog.init(project="watch", entity="tester")
run.watch(model, log="all", log_freq=2)
expected = {}
x, y = torch.randn(16, 4), torch.randn(16, 1)
for step in range(4):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    params = {name: p.detach().clone() for name, p in model.named_parameters()}
    loss.backward()
    if step % 2 == 1:  # the 2nd, 4th … call of each hook logs
        for name, p in model.named_parameters():
            for kind, tensor in (("gradients", p.grad), ("parameters", params[name])):
                lo, hi = tensor.min().item(), tensor.max().item()
                # One value (or all equal): a single bin, as W&B logs it.
                counts = [float(tensor.numel())] if lo == hi else torch.histc(tensor, bins=64, min=lo, max=hi).tolist()
                expected[f"{step}:{kind}/{name}"] = counts
    optimizer.step()
    run.log({"loss": loss.item()})
hooks_before = sum(len(p._backward_hooks or {}) for p in model.parameters()) + len(model._forward_hooks)
run.unwatch()
hooks_after = sum(len(p._backward_hooks or {}) for p in model.parameters()) + len(model._forward_hooks)
with open(sys.argv[1], "w") as f:
    json.dump({"path": run.path, "expected": expected, "hooks": [hooks_before, hooks_after]}, f)
run.finish()
