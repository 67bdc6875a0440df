"""Oracle cases JSON cannot carry: numpy values, media, tables, argparse configs, non-string keys,
artifacts. Each takes the runner's Context (`ctx.wandb` is `wandb` or `runlog`)."""
import argparse
import os

import numpy as np


def numpy_scalars_and_arrays(ctx):
    run = ctx.init()
    ctx.attempt(run.log, {"f32": np.float32(0.5), "i64": np.int64(3), "arr": np.arange(3)})
    ctx.check("summary", run.summary)
    run.finish()


def non_string_keys(ctx):
    run = ctx.init()
    ctx.attempt(run.log, {1: 2})
    ctx.attempt(run.log, {"ok": 1})
    run.finish()


def config_from_argparse(ctx):
    args = argparse.Namespace(lr=0.01, batch=32, opt="adam")
    run = ctx.init(config=args)
    ctx.attempt(run.config.update, argparse.Namespace(epochs=3))
    ctx.check("config", run.config)
    run.finish()


def config_from_object(ctx):
    class Hyper:
        def __init__(self):
            self.hidden = 16
            self.act = "relu"

    run = ctx.init()
    ctx.attempt(run.config.update, Hyper())
    ctx.check("config", run.config)
    run.finish()


def histogram_values(ctx):
    run = ctx.init()
    w = ctx.wandb
    ctx.attempt(run.log, {"h": w.Histogram([1, 2, 3, 4, 5, 6, 7, 8], num_bins=4)})
    ctx.attempt(run.log, {"h": w.Histogram(np_histogram=([1, 2], [0.0, 0.5, 1.0]))})
    ctx.attempt(w.Histogram, np_histogram=([1, 2], [0.0, 1.0]))
    run.finish()


def images_from_numpy(ctx):
    run = ctx.init()
    w = ctx.wandb
    ctx.attempt(run.log, {"rgb": w.Image(np.zeros((4, 6, 3), np.uint8), caption="zeros"), "gray": w.Image(np.ones((5, 7)))})
    ctx.attempt(run.log, {"rgba": w.Image(np.full((3, 2, 4), 200, np.uint8)), "squeezed": w.Image(np.zeros((1, 4, 4, 1)))})
    ctx.attempt(w.Image, np.zeros((2, 2, 2)))
    ctx.attempt(w.Image, np.zeros((2, 3, 4, 4)))
    run.finish()


def image_pixels_like_wandb(ctx):
    w = ctx.wandb
    for data in (np.array([[0.0, 0.5], [1.0, 0.25]]), np.array([[0, 100], [200, 300]]), np.arange(12).reshape(2, 2, 3) * 20):
        image = w.Image(data)
        ctx.check("pixels", np.asarray(image.image).tolist())
        ctx.check("mode", image.image.mode)


def image_from_torch_chw(ctx):
    import torch

    w = ctx.wandb
    tensor = torch.arange(24, dtype=torch.float32).reshape(3, 2, 4) * 10
    image = w.Image(tensor)
    ctx.check("pixels", np.asarray(image.image).tolist())
    ctx.attempt(w.Image, torch.zeros(2, 3, 4, 4))


def image_from_pil_and_file(ctx):
    from PIL import Image as PILImage

    w = ctx.wandb
    picture = PILImage.new("RGB", (6, 3), (10, 20, 30))
    picture.save(os.path.join(ctx.workdir, "p.png"))
    run = ctx.init()
    ctx.attempt(run.log, {"pil": w.Image(picture), "file": w.Image(os.path.join(ctx.workdir, "p.png")), "gray": w.Image(picture, mode="L")})
    run.finish()


def tables(ctx):
    w = ctx.wandb
    table = w.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
    ctx.attempt(table.add_data, 3, "z")
    ctx.attempt(table.add_data, 4)
    ctx.attempt(table.add_column, "c", [0.1, 0.2, 0.3])
    ctx.check("column", table.get_column("c"))
    ctx.check("rows", [[i, row] for i, row in table.iterrows()])
    ctx.attempt(table.add_computed_columns, lambda i, row: {"d": row["a"] * 10})
    ctx.check("computed", table.get_column("d"))
    run = ctx.init()
    ctx.attempt(run.log, {"t": table})
    run.finish()


def html_and_plots(ctx):
    w = ctx.wandb
    run = ctx.init()
    ctx.attempt(run.log, {"page": w.Html("<b>hi</b>")})
    table = w.Table(columns=["x", "y"], data=[[1, 2], [2, 4]])
    ctx.attempt(run.log, {"chart": w.plot.line(table, "x", "y", title="t")})
    run.finish()


def alert_level_enum(ctx):
    run = ctx.init()
    ctx.attempt(run.alert, title="t", text="x", level=ctx.wandb.AlertLevel.ERROR)
    ctx.attempt(run.alert, title="t", text="x", level="info")
    run.finish()


def artifact_api(ctx):
    w = ctx.wandb
    with open(os.path.join(ctx.workdir, "data.txt"), "w") as f:
        f.write("abc")
    ctx.attempt(w.Artifact, "bad name!", "dataset")
    artifact = w.Artifact("data", "dataset", metadata={"rows": 1})
    ctx.attempt(artifact.add_file, os.path.join(ctx.workdir, "missing.txt"))
    ctx.attempt(artifact.add_file, os.path.join(ctx.workdir, "data.txt"))
    ctx.attempt(artifact.add_dir, os.path.join(ctx.workdir, "data.txt"))
    with artifact.new_file("notes.md") as f:
        f.write("n")
    ctx.attempt(artifact.files)
    run = ctx.init()
    ctx.attempt(run.log_artifact, artifact, aliases=["a/b"])
    run.finish()


def summary_after_define_metric_reads_back(ctx):
    run = ctx.init()
    run.define_metric("loss", summary="min,max")
    for value in (3, 1, 2):
        run.log({"loss": value})
    ctx.check("min", run.summary["loss"]["min"])
    ctx.check("max", run.summary["loss"]["max"])
    run.finish()


CASES = {fn.__name__: fn for fn in (
    numpy_scalars_and_arrays, non_string_keys, config_from_argparse, config_from_object, histogram_values, images_from_numpy,
    image_pixels_like_wandb, image_from_torch_chw, image_from_pil_and_file, tables, html_and_plots, alert_level_enum, artifact_api,
    summary_after_define_metric_reads_back,
)}
