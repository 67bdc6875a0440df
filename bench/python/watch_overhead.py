"""Watch overhead on a torch MLP step (784-512-512-10, batch 64, 1 thread), interleaved rounds:
bare, runlog watch at log_freq=100 and 1, and W&B-style hooks at every step. Prints JSON (ms/step)."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bridge", "python"))
import torch
from torch import nn

import runlog

torch.set_num_threads(1)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
x, y = torch.randn(64, 784), torch.randint(0, 10, (64,))
run = runlog.init(project="bench", entity="bench")


def step():
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    run.log({"loss": loss.item()})


def wandb_style_hooks():
    """W&B's log_tensor_stats per gradient: clone, finite filter, min/max .item(), histc, linspace."""
    handles = []

    def hook(grad):
        t = grad.detach().clone().reshape(-1)
        t = t[torch.isfinite(t)]
        lo, hi = t.min().item(), t.max().item()
        counts = torch.histc(t, bins=64, min=lo, max=hi).tolist()
        edges = torch.linspace(lo, hi, steps=65).tolist()
        run.log({"wandb_style": runlog.Histogram(np_histogram=(counts, edges))}, commit=False)

    for p in model.parameters():
        handles.append(p.register_hook(hook))
    return handles


def timed(setup, steps=60):
    handles = setup()
    for _ in range(5):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = (time.perf_counter() - started) * 1000 / steps
    if isinstance(handles, list):
        for h in handles:
            h.remove()
    else:
        run.unwatch()
    return elapsed


configs = {
    "bare": lambda: [],
    "watch_100": lambda: run.watch(model, log="gradients", log_freq=100),
    "watch_1": lambda: run.watch(model, log="gradients", log_freq=1),
    "wandb_hooks_1": wandb_style_hooks,
}
results = {name: [] for name in configs}
for _ in range(5):
    for name, setup in configs.items():
        results[name].append(timed(setup))
run.finish()
median = lambda xs: sorted(xs)[len(xs) // 2]
print(json.dumps({name: median(values) for name, values in results.items()}))
