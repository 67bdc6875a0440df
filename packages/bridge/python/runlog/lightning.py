"""`RunlogLogger`: Lightning's logger contract on a Runlog run, like WandbLogger.

It subclasses Lightning's `Logger` when Lightning is importable and a small duck-typed base when
it is not (Debian's torch 1.13 cannot import current Lightning), so the same class works in both.
Everything that writes runs on rank 0 only; the Trainer calls every method on every rank.
"""
import os
import weakref

import runlog

try:  # Lightning 2.x, then the pytorch_lightning package
    from lightning.pytorch.loggers.logger import Logger as _LightningLogger
except Exception:  # pragma: no cover - depends on what is installed
    try:
        from pytorch_lightning.loggers.logger import Logger as _LightningLogger
    except Exception:
        _LightningLogger = None


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
    """`RunlogLogger(project=None, name=None, version=None, save_dir=".", log_model=False, prefix="", checkpoint_name=None, **init_kwargs)`.

    Lightning's step is logged as the `trainer/global_step` metric (steps repeat in Lightning, so it
    is not used as the run's own step). `log_model`: False, True (the best/last checkpoints when
    training succeeds) or "all" (each checkpoint as it is saved), with `latest`/`best` aliases.
    """

    def __init__(self, project=None, name=None, version=None, save_dir=".", log_model=False, prefix="", checkpoint_name=None, **init_kwargs):
        if _LightningLogger is not None:
            super().__init__()
        self._project = project or os.environ.get("RUNLOG_PROJECT") or "lightning_logs"
        self._run_name = name
        self._id = version
        self._save_dir = save_dir
        self._log_model = log_model
        self._prefix = prefix
        self._checkpoint_name = checkpoint_name
        self._init_kwargs = init_kwargs
        self._experiment = None
        self._checkpoint_callback = None
        self._logged_checkpoints = {}

    # -- identity ---------------------------------------------------------------------------------

    @property
    def name(self):
        return self._project

    @property
    def version(self):
        return self._experiment.id if self._experiment is not None and hasattr(self._experiment, "id") else self._id

    @property
    def save_dir(self):
        return self._save_dir

    @property
    def log_dir(self):
        return os.path.join(self._save_dir, self.name, str(self.version))

    @property
    def experiment(self):
        """The run (created on first use, on rank 0; other ranks get a no-op stand-in)."""
        if _rank() != 0:
            return _DummyExperiment()
        if self._experiment is None:
            if runlog.run is not None:
                self._experiment = runlog.run  # reuse the run the script started, as WandbLogger does
            else:
                self._experiment = runlog.init(project=self._project, name=self._run_name, id=self._id, resume="allow" if self._id else None, **self._init_kwargs)
            self._experiment.define_metric("trainer/global_step")
            self._experiment.define_metric("*", step_metric="trainer/global_step", step_sync=True)
        return self._experiment

    # -- what the Trainer calls -------------------------------------------------------------------

    def log_hyperparams(self, params, *args, **kwargs):
        if _rank() != 0:
            return
        if hasattr(params, "__dict__") and not isinstance(params, dict):
            params = vars(params)
        clean = {k: (v if not callable(v) else getattr(v, "__name__", repr(v))) for k, v in dict(params).items()}
        self.experiment.config.update(clean, allow_val_change=True)

    def log_metrics(self, metrics, step=None):
        if _rank() != 0:
            return
        row = {(f"{self._prefix}-{k}" if self._prefix else k): (v.item() if hasattr(v, "item") else v) for k, v in metrics.items()}
        if step is not None:
            row["trainer/global_step"] = step
        self.experiment.log(row)

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
            self._checkpoint_callback = checkpoint_callback

    def finalize(self, status):
        if _rank() != 0 or self._experiment is None:
            return
        if status == "success" and self._checkpoint_callback is not None:
            self._scan_and_log_checkpoints(self._checkpoint_callback)
        self._experiment.finish(exit_code=0 if status in ("success", "finished") else 1)

    # -- checkpoints ------------------------------------------------------------------------------

    def _scan_and_log_checkpoints(self, callback):
        callback = callback if not isinstance(callback, weakref.ProxyType) else callback
        best = getattr(callback, "best_model_path", "") or ""
        candidates = {getattr(callback, "last_model_path", "") or "", best, *list((getattr(callback, "best_k_models", {}) or {}).keys())}
        for path in sorted((p for p in candidates if p and os.path.isfile(p)), key=os.path.getmtime):
            mtime = os.path.getmtime(path)
            if self._logged_checkpoints.get(path, -1) >= mtime:
                continue
            self._logged_checkpoints[path] = mtime
            artifact = runlog.Artifact(
                self._checkpoint_name or f"model-{self.experiment.id}",
                "model",
                metadata={
                    "score": _number(getattr(callback, "best_model_score", None)) if path == best else None,
                    "original_filename": os.path.basename(path),
                    "ModelCheckpoint": {k: _number(getattr(callback, k, None)) for k in ("monitor", "mode", "save_last", "save_top_k", "save_weights_only")},
                },
            )
            artifact.add_file(path, name="model.ckpt")
            self.experiment.log_artifact(artifact, aliases=["latest", "best"] if path == best else ["latest"])


def _number(value):
    return value.item() if hasattr(value, "item") else value
