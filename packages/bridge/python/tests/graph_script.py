"""watch(model, log_graph=True) under the real wandb (offline) or runlog: a small torch model with a
nested block, one training step. argv: wandb|runlog, out json. Writes the run's summary entry for
the graph and the graph file's JSON, read back from where each keeps it (W&B: its run's files
folder; runlog: the store, through runlog.Api)."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import torch
from torch import nn

impl, out = sys.argv[1], sys.argv[2]
if impl == "wandb":
    os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_CONSOLE="off", WANDB_DISABLE_GIT="true")
    import wandb
else:
    import runlog as wandb

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 3), nn.Tanh()), nn.Linear(3, 1))
run = wandb.init(project="graph", dir=tempfile.mkdtemp())
run.watch(model, log_graph=True, log_freq=1)
seen = {}
try:
    run.watch(model, log_graph=True)
except ValueError as error:  # W&B: one graph watch per model
    seen["second_watch"] = type(error).__name__
loss = nn.functional.mse_loss(model(torch.randn(5, 4)), torch.randn(5, 1))
loss.backward()
run.log({"loss": loss.item()})
entry = run.summary.get("graph_0")
seen["summary"] = {k: entry[k] for k in entry.keys()} if entry is not None else None
path, files_dir = run.path if impl == "runlog" else None, run.dir
run.finish()
if impl == "wandb":
    with open(os.path.join(files_dir, seen["summary"]["path"]), encoding="utf-8") as f:
        seen["file"] = json.load(f)
else:
    stored = wandb.Api().run(path)
    seen["stored_summary"] = dict(stored.summary["graph_0"])
    seen["files"] = [f.name for f in stored.files()]
    with open(stored.file(seen["summary"]["path"]).download(root=tempfile.mkdtemp()).name, encoding="utf-8") as f:
        seen["file"] = json.load(f)
with open(out, "w", encoding="utf-8") as f:
    json.dump(seen, f, indent=1)
