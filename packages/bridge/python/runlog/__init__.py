"""Runlog for Python: W&B's API (`import runlog as wandb`), logging through a Runlog bridge.

The bridge (`runlog bridge`, Node) hosts the runs and writes them into the Runlog store; this
package only depends on pyzmq and msgpack (numpy, torch, PIL, pandas optional).

Layout (like the core package): `sdk` (init, Run, config, summary, history mirror, watch),
`data_types`, `plot`, `artifacts`, `api`, `wire`, `errors`, `env`; `lightning` and `_launcher`.
"""
from . import errors, plot
from ._launcher import BridgeNotFound
from .api import Api
from .artifacts import Artifact
from .data_types import Audio, Graph, Histogram, Html, Image, Object3D, Table, Video
from .errors import BridgeError, CommError, Error, UsageError
from .sdk import state as _state
from .sdk.config import Config
from .sdk.init import init
from .sdk.run import AlertLevel, Metric, Run, RunStatus
from .sdk.settings import Settings
from .sdk.sweeps import agent, sweep

__version__ = "0.1.0"
__all__ = [
    "init", "log", "finish", "define_metric", "alert", "save", "restore", "watch", "unwatch", "config", "summary", "run",
    "sweep", "agent", "log_artifact", "use_artifact", "log_model", "use_model", "link_model", "login", "teardown", "mark_preempting",
    "Api", "Artifact", "Audio", "Graph", "Histogram", "Html", "Image", "Object3D", "Table", "Video", "plot", "Settings", "AlertLevel",
    "Run", "RunStatus", "Metric", "Config", "Error", "UsageError", "CommError", "BridgeError", "BridgeNotFound", "errors",
]


def _current(what):
    if _state.run is None:
        raise UsageError(f"You must call runlog.init() before runlog.{what}()", code="INVALID_ARGUMENT")
    return _state.run


def log(data, step=None, commit=None):
    _current("log").log(data, step=step, commit=commit)


def finish(exit_code=None):
    if _state.run is not None:
        _state.run.finish(exit_code=exit_code)


def define_metric(name, step_metric=None, step_sync=None, hidden=None, summary=None, overwrite=None, goal=None):
    return _current("define_metric").define_metric(name, step_metric, step_sync, hidden, summary, overwrite, goal)


def alert(title, text, level=None, wait_duration=None):
    _current("alert").alert(title, text, level=level, wait_duration=wait_duration)


def save(glob_str=None, base_path=None, policy="live", glob=True):
    return _current("save").save(glob_str, base_path=base_path, policy=policy, glob=glob)


def restore(name, run_path=None, replace=False, root=None):
    return _current("restore").restore(name, run_path=run_path, replace=replace, root=root)


def mark_preempting():
    _current("mark_preempting").mark_preempting()


def log_artifact(artifact_or_path, name=None, type=None, aliases=None, tags=None):
    return _current("log_artifact").log_artifact(artifact_or_path, name=name, type=type, aliases=aliases)


def use_artifact(artifact_or_name, type=None, aliases=None, use_as=None):
    return _current("use_artifact").use_artifact(artifact_or_name, type=type, aliases=aliases)


def log_model(path, name=None, aliases=None):
    return _current("log_model").log_model(path, name=name, aliases=aliases)


def use_model(name):
    return _current("use_model").use_model(name)


def link_model(path, registered_model_name, name=None, aliases=None):
    return _current("link_model").link_model(path, registered_model_name, name=name, aliases=aliases)


def watch(models, criterion=None, log="gradients", log_freq=1000, idx=None, log_graph=False, filter=None):
    _current("watch").watch(models, criterion, log, log_freq, idx, log_graph, filter)


def unwatch(models=None):
    if _state.run is not None:
        _state.run.unwatch(models)


def login(key=None, relogin=None, host=None, force=None, timeout=None, verify=False, referrer=None, prompt=False, anonymous=None):
    """A local store needs no login: succeeds. A key is kept for a Runlog server (RUNLOG_API_KEY)."""
    import os

    if key:
        os.environ["RUNLOG_API_KEY"] = str(key)
    if host:
        os.environ["RUNLOG_BASE_URL"] = str(host)
    return True


def teardown(exit_code=None):
    """Finishes the current run and closes the connection to the bridge."""
    finish(exit_code=exit_code)
    if _state.connection is not None:
        _state.connection.close()
        _state.connection = None


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

    def __contains__(self, key):
        return key in self._target()


config = _Bound("config")
summary = _Bound("summary")


def __getattr__(name):
    if name == "run":
        return _state.run
    raise AttributeError(f"module 'runlog' has no attribute {name!r}")
