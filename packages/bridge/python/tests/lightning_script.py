"""A mini trainer that calls the logger exactly as Lightning's Trainer does (the order observed in
reference/bridge.md), with a real torch model and real checkpoint files. argv: work dir, log_model."""
import json
import os
import sys
import weakref

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import torch
from torch import nn

from runlog.lightning import RunlogLogger

work, log_model = sys.argv[1], {"false": False, "true": True, "all": "all"}[sys.argv[2]]


class ModelCheckpoint:
    """The parts of ModelCheckpoint a logger reads."""

    def __init__(self, folder):
        self.dirpath, self.monitor, self.mode, self.save_last, self.save_top_k, self.save_weights_only = folder, "val_loss", "min", True, 1, False
        self.best_model_path, self.last_model_path, self.best_model_score, self.best_k_models = "", "", None, {}

    def save(self, model, epoch, score):
        path = os.path.join(self.dirpath, f"epoch={epoch}.ckpt")
        torch.save(model.state_dict(), path)
        self.last_model_path = path
        if self.best_model_score is None or score < self.best_model_score:
            self.best_model_path, self.best_model_score, self.best_k_models = path, torch.tensor(score), {path: torch.tensor(score)}


torch.manual_seed(0)
model = nn.Linear(3, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(32, 3), torch.randn(32, 1)
logger = RunlogLogger(project="lightning", save_dir=work, log_model=log_model, entity="tester")
folder = os.path.join(logger.save_dir, logger.name, "checkpoints")
os.makedirs(folder, exist_ok=True)
checkpoint = ModelCheckpoint(folder)
_ = logger.experiment  # the Trainer touches experiment during setup
logger.log_hyperparams({"lr": 0.1, "activation": torch.relu})
logger.log_graph(model, None)
logger.save()
step = -1
for epoch in range(2):
    for batch in range(4):
        step += 1
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        if step % 2 == 1:
            logger.log_metrics({"train_loss": loss.detach(), "epoch": epoch}, step=step)
            logger.save()
    val = nn.functional.mse_loss(model(x), y).item()
    logger.log_metrics({"val_loss": val, "epoch": epoch}, step=step)  # the same step as the last batch
    logger.save()
    checkpoint.save(model, epoch, val)
    logger.after_save_checkpoint(weakref.proxy(checkpoint))
    logger.log_metrics({"train_loss_epoch": loss.item(), "epoch": epoch}, step=step)
    logger.save()
logger.finalize("success")
print(json.dumps({"path": logger.experiment.path, "version": logger.version, "best": os.path.basename(checkpoint.best_model_path)}))
