"""Trains a small PyTorch MLP on synthetic 10-class data the W&B way (`import runlog as wandb`,
through the Runlog bridge in RUNLOG_BRIDGE), exports it to ONNX, logs the .onnx file as a model
artifact, and keeps the PyTorch outputs on a held-out set so Node can check the ONNX model against
them. Prints {"run": path, "exported": path} as its last line.

usage: RUNLOG_BRIDGE=… /usr/bin/python3 train.py OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bridge", "python"))
import runlog as wandb

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
rng = np.random.RandomState(0)
config = {"features": 64, "hidden": 32, "classes": 10, "epochs": 8, "lr": 0.01, "batch_size": 64, "train_samples": 2000, "eval_samples": 256}
run = wandb.init(project="torch-to-onnx", job_type="train", name="torch-train", config=config)

centers = rng.randn(config["classes"], config["features"]).astype(np.float32) * 0.5


def sample(n):
    labels = rng.randint(0, config["classes"], n)
    return (centers[labels] + rng.randn(n, config["features"]).astype(np.float32) * 1.2), labels


x_train, y_train = sample(config["train_samples"])
x_eval, y_eval = sample(config["eval_samples"])
model = nn.Sequential(nn.Linear(config["features"], config["hidden"]), nn.ReLU(), nn.Linear(config["hidden"], config["classes"]))
optimizer = torch.optim.Adam(model.parameters(), lr=config["lr"])
loss_fn = nn.CrossEntropyLoss()
xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
for epoch in range(config["epochs"]):
    perm = torch.randperm(len(xt))
    total = 0.0
    for i in range(0, len(xt), config["batch_size"]):
        idx = perm[i : i + config["batch_size"]]
        optimizer.zero_grad()
        loss = loss_fn(model(xt[idx]), yt[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    with torch.no_grad():
        acc = (model(torch.from_numpy(x_eval)).argmax(1).numpy() == y_eval).mean()
    wandb.log({"train/loss": total / len(xt), "val/acc": float(acc), "epoch": epoch})

model.eval()
path = os.path.join(out, "model.onnx")
torch.onnx.export(model, torch.zeros(1, config["features"]), path, input_names=["input"], output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
with torch.no_grad():
    logits = model(torch.from_numpy(x_eval)).numpy()
with open(os.path.join(out, "eval.json"), "w") as f:
    json.dump({"inputs": x_eval.tolist(), "labels": y_eval.tolist(), "torch_logits": logits.tolist(), "features": config["features"]}, f)
run.log_model(path, name="torch-mlp", aliases=["candidate"])
wandb.finish()
print(json.dumps({"run": run.path, "exported": path}), flush=True)
