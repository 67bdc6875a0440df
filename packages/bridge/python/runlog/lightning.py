"""`RunlogLogger`: Lightning's logger contract on a Runlog run, a drop-in for Lightning's WandbLogger.

It subclasses Lightning's `Logger` when Lightning is importable and a small duck-typed base when
it is not (Debian's torch 1.13 cannot import current Lightning), so the same class works in both.
Everything that writes runs on rank 0 only; the Trainer calls every method on every rank.
"""
import inspect
import os
from argparse import Namespace
from pathlib import Path

import runlog

try:  # Lightning 2.x, then the pytorch_lightning package
    from lightning.pytorch.loggers.logger import Logger as _LightningLogger
except Exception:  # pragma: no cover - depends on what is installed
    try:
        from pytorch_lightning.loggers.logger import Logger as _LightningLogger
    except Exception:
        _LightningLogger = None

try:  # the same parameter clean-up WandbLogger applies (argparse, callables, non-JSON values)
    from lightning.fabric.utilities.logger import _convert_json_serializable, _convert_params, _sanitize_callable_params
except Exception:  # pragma: no cover - depends on what is installed
    _convert_json_serializable = _convert_params = _sanitize_callable_params = None

try:  # what WandbLogger raises for a configuration it refuses
    from lightning.fabric.utilities.exceptions import MisconfigurationException as _ConfigurationError
except Exception:  # pragma: no cover - depends on what is installed
    _ConfigurationError = ValueError


def _rank():
    for variable in ("RANK", "LOCAL_RANK", "SLURM_PROCID", "JSM_NAMESPACE_RANK"):
        value = os.environ.get(variable)
        if value is not None:
            try:
                return int(value)
            except ValueError:
                pass
    return 0


class _DummyExperiment:
    """What non-zero ranks get as `experiment`: every call is a no-op."""

    def __getattr__(self, _):
        return lambda *args, **kwargs: self

    def __getitem__(self, _):
        return self

    def __setitem__(self, *_):
        pass


class _DuckLogger:
    """Lightning's Logger surface, for when Lightning is not installed."""

    @property
    def root_dir(self):
        return None

    @property
    def group_separator(self):
        return "/"

    def log_graph(self, model, input_array=None):
        pass

    def save(self):
        pass

    def finalize(self, status):
        self.save()

    def after_save_checkpoint(self, checkpoint_callback):
        pass


_Base = _LightningLogger if _LightningLogger is not None else _DuckLogger


class RunlogLogger(_Base):
    """Takes WandbLogger's constructor, so swapping the class name is enough.

    Lightning's step is logged as the `trainer/global_step` metric (steps repeat in Lightning, so it
    is not used as the run's own step). `log_model`: False, True (the best/last checkpoints when a
    stage succeeds; every checkpoint when `save_top_k == -1`) or "all" (each checkpoint as it is
    saved), with `latest`/`best` aliases and the checkpoint's `score` in the metadata. As with
    WandbLogger, `finalize` (called after each of fit/validate/test) does not finish the run: the run
    ends with the script, so one logger serves all stages of a Trainer.
    """

    LOGGER_JOIN_CHAR = "-"

    def __init__(self, name=None, save_dir=".", version=None, offline=False, dir=None, id=None, anonymous=None,
                 project=None, log_model=False, experiment=None, prefix="", checkpoint_name=None,
                 add_file_policy="mutable", **init_kwargs):
        if offline and log_model:
            raise _ConfigurationError(f"log_model={log_model!r} with offline=True: WandbLogger refuses this pair too (checkpoints are uploaded), "
                             "so set offline=False to log models")
        if log_model not in (False, True, "all"):
            raise ValueError(f"log_model must be False, True or 'all', got {log_model!r}")
        if _LightningLogger is not None:
            super().__init__()
        self._project = project or os.environ.get("RUNLOG_PROJECT") or os.environ.get("WANDB_PROJECT") or "lightning_logs"
        self._run_name = name
        self._id = version or id
        self._save_dir = os.fspath(save_dir) if save_dir is not None else (os.fspath(dir) if dir is not None else None)
        self._offline = offline
        self._anonymous = anonymous  # accepted for WandbLogger's signature; local runs have no accounts
        self._log_model = log_model
        self._prefix = prefix
        self._checkpoint_name = checkpoint_name
        self._add_file_policy = add_file_policy  # Runlog copies the file when the artifact is logged either way
        self._init_kwargs = init_kwargs
        self._experiment = experiment
        self._checkpoint_callbacks = {}
        self._logged_model_time = {}

    # -- identity ---------------------------------------------------------------------------------

    @property
    def name(self):
        """The project (as WandbLogger's `name`); the run's own name is `experiment.name`."""
        return self._project

    @property
    def version(self):
        """The run's id once it exists, else the id given to the constructor (nothing is started)."""
        return self._experiment.id if self._experiment is not None and hasattr(self._experiment, "id") else self._id

    @property
    def save_dir(self):
        return self._save_dir

    @property
    def experiment(self):
        """The run (created on first use, on rank 0; other ranks get a no-op stand-in)."""
        if _rank() != 0:
            return _DummyExperiment()
        if self._experiment is None:
            if runlog.run is not None:
                self._experiment = runlog.run  # reuse the run the script started, as WandbLogger does
            else:
                self._experiment = runlog.init(**self._init_arguments())
            self._experiment.define_metric("trainer/global_step")
            self._experiment.define_metric("*", step_metric="trainer/global_step", step_sync=True)
        return self._experiment

    def _init_arguments(self):
        arguments = {"project": self._project, "name": self._run_name, "id": self._id, "resume": "allow" if self._id else None,
                     "mode": "offline" if self._offline else None, **self._init_kwargs}
        accepted = inspect.signature(runlog.init).parameters
        if self._save_dir is not None and "dir" in accepted and "dir" not in arguments:
            arguments["dir"] = self._save_dir
        return {k: v for k, v in arguments.items() if v is not None}

    # -- what the Trainer calls -------------------------------------------------------------------

    def log_hyperparams(self, params, *args, **kwargs):
        if _rank() != 0:
            return
        if _convert_params is not None:
            params = _convert_json_serializable(_sanitize_callable_params(_convert_params(params)))
        else:
            params = vars(params) if isinstance(params, Namespace) else dict(params)
            params = {k: (getattr(v, "__name__", repr(v)) if callable(v) else v) for k, v in params.items()}
        self.experiment.config.update(params, allow_val_change=True)

    def log_metrics(self, metrics, step=None):
        if _rank() != 0:
            return
        join = self.LOGGER_JOIN_CHAR
        row = {(f"{self._prefix}{join}{k}" if self._prefix else k): _number(v) for k, v in metrics.items()}
        if step is not None:
            row["trainer/global_step"] = step
        self.experiment.log(row)

    def log_table(self, key, columns=None, data=None, dataframe=None, step=None):
        """A table (any cell type the client can log) under `key`."""
        if _rank() != 0:
            return
        self.log_metrics({key: runlog.Table(columns=columns, data=data, dataframe=dataframe)}, step)

    def log_text(self, key, columns=None, data=None, dataframe=None, step=None):
        """Text as a table, as WandbLogger does."""
        self.log_table(key, columns, data, dataframe, step)

    def log_image(self, key, images, step=None, **kwargs):
        """Images under `key`; each keyword is a list with one value per image (e.g. `caption=[...]`)."""
        if _rank() != 0:
            return
        if not isinstance(images, list):
            raise TypeError(f'Expected a list as "images", found {type(images)}')
        for option, values in kwargs.items():
            if len(values) != len(images):
                raise ValueError(f"Expected {len(images)} items but only found {len(values)} for {option}")
        self.log_metrics({key: [runlog.Image(image, **{k: v[i] for k, v in kwargs.items()}) for i, image in enumerate(images)]}, step)

    def watch(self, model, log="gradients", log_freq=100, log_graph=True):
        self.experiment.watch(model, log=log, log_freq=log_freq, log_graph=log_graph)

    def use_artifact(self, artifact, artifact_type=None):
        return self.experiment.use_artifact(artifact, type=artifact_type)

    def log_graph(self, model, input_array=None):
        pass

    def save(self):
        pass  # called after every log_metrics: logging is already asynchronous

    def after_save_checkpoint(self, checkpoint_callback):
        if _rank() != 0:
            return
        if self._log_model == "all" or (self._log_model is True and getattr(checkpoint_callback, "save_top_k", None) == -1):
            self._scan_and_log_checkpoints(checkpoint_callback)
        elif self._log_model is True:
            self._checkpoint_callbacks[id(checkpoint_callback)] = checkpoint_callback

    def finalize(self, status):
        """After each stage: log the remembered checkpoints when it succeeded; the run stays open."""
        if _rank() != 0 or self._experiment is None or status != "success":
            return
        for callback in self._checkpoint_callbacks.values():
            self._scan_and_log_checkpoints(callback)

    # -- checkpoints ------------------------------------------------------------------------------

    def _scan_and_log_checkpoints(self, callback):
        for mtime, path, score in _new_checkpoints(callback, self._logged_model_time):
            metadata = {
                "score": _number(score),
                "original_filename": Path(path).name,
                callback.__class__.__name__: {
                    k: _number(getattr(callback, k))
                    for k in ("monitor", "mode", "save_last", "save_top_k", "save_weights_only", "_every_n_train_steps")
                    if hasattr(callback, k)
                },
            }
            artifact = runlog.Artifact(self._checkpoint_name or f"model-{self.experiment.id}", "model", metadata=metadata)
            artifact.add_file(path, name="model.ckpt")
            self.experiment.log_artifact(artifact, aliases=["latest", "best"] if path == callback.best_model_path else ["latest"])
            self._logged_model_time[path] = mtime


def _new_checkpoints(callback, logged_model_time):
    """(mtime, path, score) of the callback's checkpoint files not logged since they last changed,
    oldest first: Lightning's `_scan_checkpoints`, restated because it is private to Lightning and
    Lightning is not importable everywhere this logger runs."""
    scores = {}
    if hasattr(callback, "last_model_path") and hasattr(callback, "current_score"):
        scores[callback.last_model_path] = callback.current_score
    if hasattr(callback, "best_model_path") and hasattr(callback, "best_model_score"):
        scores[callback.best_model_path] = callback.best_model_score
    for path, score in (getattr(callback, "best_k_models", None) or {}).items():
        scores[path] = score
    found = sorted((Path(p).stat().st_mtime, p, s) for p, s in scores.items() if p and Path(p).is_file())
    return [c for c in found if c[1] not in logged_model_time or logged_model_time[c[1]] < c[0]]


def _number(value):
    return value.item() if hasattr(value, "item") else value
