"""A real `lightning.Trainer` with RunlogLogger, or with Lightning's own WandbLogger (W&B offline)
to compare with. argv[1] is a JSON spec: work (folder), logger ("runlog" | "wandb"), log_model,
max_epochs, version, ckpt_path, csv (a CSVLogger beside it), stages ("fit,validate,test"), media.
Prints one JSON line: what the logger and the run report after the stages."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import lightning
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

spec = json.loads(sys.argv[1])
if spec.get("logger", "runlog") == "wandb":
    from lightning.pytorch.loggers import WandbLogger as Logger
else:
    from runlog.lightning import RunlogLogger as Logger


class Regression(lightning.LightningModule):
    def __init__(self, lr=0.05, activation=torch.tanh):
        super().__init__()
        self.save_hyperparameters()
        self.layer = nn.Linear(3, 1)

    def forward(self, x):
        return self.layer(self.hparams.activation(x))

    def training_step(self, batch, _):
        loss = nn.functional.mse_loss(self(batch[0]), batch[1])
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, _):
        self.log("val_loss", nn.functional.mse_loss(self(batch[0]), batch[1]))

    def test_step(self, batch, _):
        self.log("test_loss", nn.functional.mse_loss(self(batch[0]), batch[1]))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


torch.manual_seed(0)
x = torch.randn(32, 3)
data = DataLoader(TensorDataset(x, x @ torch.tensor([[1.0], [-2.0], [0.5]])), batch_size=8)
refused = None
try:
    Logger(project="lightning", offline=True, log_model=True)
except Exception as error:  # WandbLogger refuses this pair before starting anything
    refused = type(error).__name__
logger = Logger(name="lit", save_dir=spec["work"], version=spec.get("version"), offline=False, project="lightning",
                log_model=spec.get("log_model", False), prefix=spec.get("prefix", ""), checkpoint_name=spec.get("checkpoint_name"))
version_before = logger.version
loggers = [logger, CSVLogger(spec["work"], name="csv")] if spec.get("csv") else logger


class StepProbe(lightning.Callback):
    """Logs beside Lightning at `logger.experiment.step`, as W&B's docs show (the run's next step), and records it."""

    def __init__(self):
        self.steps = []

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        step = logger.experiment.step
        self.steps.append(step)
        logger.experiment.log({"probe/batch": batch_idx}, step=step, commit=False)

    def on_validation_epoch_end(self, trainer, pl_module):
        step = logger.experiment.step
        self.steps.append(step)
        logger.experiment.log({"probe/val_epoch": trainer.current_epoch}, step=step)


checkpoint = ModelCheckpoint(monitor="val_loss", save_top_k=2, save_last=True)
probe = StepProbe()
callbacks = [checkpoint, probe] if spec.get("step_probe") else [checkpoint]
trainer = lightning.Trainer(max_epochs=spec.get("max_epochs", 3), logger=loggers, callbacks=callbacks, log_every_n_steps=2,
                            enable_progress_bar=False, enable_model_summary=False, accelerator="cpu", devices=1)
model = Regression()
if spec.get("watch"):
    logger.watch(model, log="all", log_freq=2)
stages = spec.get("stages", "fit,validate,test").split(",")
for stage in stages:
    if stage == "fit":
        trainer.fit(model, data, data, ckpt_path=spec.get("ckpt_path"), weights_only=False)  # our own checkpoint: hparams hold a function
    else:
        getattr(trainer, stage)(model, data)
if spec.get("media"):
    logger.experiment.log({"after_test": 1})
    logger.log_text("samples", columns=["input", "label"], data=[["cheese", "english"], ["fromage", "french"]])
    logger.log_table("scores", columns=["epoch", "score"], data=[[0, 0.5], [1, 0.25]])
    logger.log_image("pictures", images=[torch.rand(4, 4, 3).numpy(), torch.rand(4, 4, 3).numpy()], caption=["a", "b"])
print(json.dumps({
    "refused": refused,
    "version_before": version_before,
    "version": logger.version,
    "id": logger.experiment.id,
    "path": getattr(logger.experiment, "path", None),
    "name": logger.name,
    "save_dir": logger.save_dir,
    "global_step": trainer.global_step,
    "best": os.path.basename(checkpoint.best_model_path),
    "last": checkpoint.last_model_path,
    "scores": {os.path.basename(p): float(s) for p, s in checkpoint.best_k_models.items()},
    "csv": loggers[1].log_dir if spec.get("csv") else None,
    "probe_steps": probe.steps,
    "final_step": logger.experiment.step,
}), flush=True)
