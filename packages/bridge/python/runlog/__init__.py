"""Runlog for Python: W&B's API (`import runlog as wandb`), logging through a Runlog bridge.

The bridge (`runlog bridge`, Node) hosts the runs and writes them into the Runlog store; this
package only depends on pyzmq and msgpack (numpy, torch, PIL optional).
"""
import os

from . import _state
from ._connection import BridgeError, Connection
from ._launcher import BridgeNotFound, bridge_endpoint
from ._run import DisabledRun, Run
from .artifacts import Artifact
from .data_types import Histogram, Image, Table

__version__ = "0.1.0"
__all__ = [
    "init", "log", "finish", "define_metric", "alert", "save", "watch", "unwatch", "config", "summary", "run",
    "log_artifact", "use_artifact", "log_model", "use_model", "link_model",
    "Artifact", "Histogram", "Image", "Table", "Run", "BridgeError", "BridgeNotFound",
]

_INIT_KEYS = ("project", "entity", "name", "notes", "tags", "group", "job_type", "config", "id", "resume", "allow_val_change")


def init(project=None, entity=None, name=None, notes=None, tags=None, group=None, job_type=None, config=None, id=None,
         resume=None, mode=None, settings=None, reinit=None, allow_val_change=None, **unsupported):
    """Starts a run on the bridge (RUNLOG_BRIDGE, or one started from the runlog CLI) and makes it current."""
    if unsupported:
        raise TypeError(f"init() got unsupported arguments: {', '.join(sorted(unsupported))}")
    mode = mode or os.environ.get("RUNLOG_MODE") or os.environ.get("WANDB_MODE") or "online"
    if _state.run is not None:
        if reinit in (False, "return_previous"):
            return _state.run
        _state.run.finish()
    if hasattr(config, "__dict__") and not isinstance(config, dict):
        config = {k: v for k, v in vars(config).items() if not k.startswith("_")}
    options = {k: v for k, v in dict(project=project or os.environ.get("RUNLOG_PROJECT") or os.environ.get("WANDB_PROJECT"), entity=entity,
               name=name, notes=notes, tags=list(tags) if tags else None, group=group, job_type=job_type, config=config, id=id,
               resume=resume, allow_val_change=allow_val_change).items() if v is not None}
    settings = dict(settings or {})
    if mode == "disabled":
        run = DisabledRun(options)
    else:
        if _state.connection is None:
            _state.connection = Connection(bridge_endpoint())
        described = _state.connection.request({"t": "init", "options": {**options, "settings": _camel(settings), "client": _client()}}, timeout=60)
        _state.connection.register(described["id"], options, described.get("last_seq", 0))
        run = Run(_state.connection, described, options, settings)
    _state.run = run
    return run


def _client():
    """Who is logging (the run's own metadata describes the bridge process)."""
    import platform
    import socket
    import sys

    return {"lang": "python", "python": platform.python_version(), "host": socket.gethostname(), "pid": os.getpid(),
            "program": os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None, "args": sys.argv[1:], "cwd": os.getcwd()}


def _camel(settings):
    names = {"crash_timeout": "crashTimeout", "finish_timeout": "finishTimeout", "flush_interval": "flushInterval"}
    return {names.get(k, k): v for k, v in settings.items() if k in names}


def _current(what):
    if _state.run is None:
        raise RuntimeError(f"runlog.{what}() needs a run: call runlog.init() first")
    return _state.run


def log(data, step=None, commit=None):
    _current("log").log(data, step=step, commit=commit)


def finish(exit_code=None, quiet=None):
    if _state.run is not None:
        _state.run.finish(exit_code=exit_code)


def define_metric(name, **options):
    _current("define_metric").define_metric(name, **options)


def alert(title, text, level="INFO", wait_duration=None):
    _current("alert").alert(title, text, level=level, wait_duration=wait_duration)


def save(glob_str, base_path=None, policy="now"):
    return _current("save").save(glob_str, base_path=base_path, policy=policy)


def log_artifact(artifact_or_path, name=None, type=None, aliases=None):
    return _current("log_artifact").log_artifact(artifact_or_path, name=name, type=type, aliases=aliases)


def use_artifact(artifact_or_name, type=None, aliases=None):
    return _current("use_artifact").use_artifact(artifact_or_name, type=type, aliases=aliases)


def log_model(path, name=None, aliases=None):
    return _current("log_model").log_model(path, name=name, aliases=aliases)


def use_model(name):
    return _current("use_model").use_model(name)


def link_model(path, registered_model_name, name=None, aliases=None):
    return _current("link_model").link_model(path, registered_model_name, name=name, aliases=aliases)


def watch(models, criterion=None, log="gradients", log_freq=1000, idx=None, log_graph=False, filter=None):
    _current("watch").watch(models, log=log, log_freq=log_freq, filter=filter)


def unwatch(models=None):
    if _state.run is not None:
        _state.run.unwatch(models)


class _Bound:
    """`runlog.config` / `runlog.summary`: the current run's, as in W&B."""

    def __init__(self, attribute):
        object.__setattr__(self, "_attribute", attribute)

    def _target(self):
        return getattr(_current(self._attribute), self._attribute)

    def __getattr__(self, key):
        return getattr(self._target(), key)

    def __setattr__(self, key, value):
        setattr(self._target(), key, value)

    def __getitem__(self, key):
        return self._target()[key]

    def __setitem__(self, key, value):
        self._target()[key] = value


config = _Bound("config")
summary = _Bound("summary")


def __getattr__(name):
    if name == "run":
        return _state.run
    raise AttributeError(name)
