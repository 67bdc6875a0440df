"""Writes TensorBoard event files under argv[1] with the real writers:
torch.utils.tensorboard (run "torch": scalars, histograms, images, text, hparams) and
tensorboardX (run "nested/tbx": scalars and a histogram)."""

import sys

import numpy as np
from tensorboardX import SummaryWriter as XWriter
from torch.utils.tensorboard import SummaryWriter

out = sys.argv[1]

writer = SummaryWriter(log_dir=f"{out}/torch")
rng = np.random.default_rng(7)
for step in range(5):
    writer.add_scalar("train/loss", 1.0 / (step + 1), step)
    writer.add_scalar("lr", 0.1 * 0.5**step, step)
    if step % 2 == 0:
        writer.add_histogram("weights", rng.normal(size=200), step)
writer.add_image("sample", np.arange(2 * 3 * 3, dtype=np.uint8).reshape(3, 2, 3) * 10, 4)
writer.add_text("notes", "hello **tensorboard**", 4)
writer.add_hparams({"lr": 0.1, "optimizer": "sgd", "layers": 2}, {"hparam/final_loss": 0.2}, run_name=".")
writer.close()

xwriter = XWriter(logdir=f"{out}/nested/tbx")
for step in range(0, 30, 10):
    xwriter.add_scalar("acc", step / 30, step)
xwriter.add_histogram("h", np.array([1.0, 2.0, 2.0, 3.0]), 20)
xwriter.close()
