"""The Python `Run`: W&B's API, snake_case, on a run the bridge hosts."""
import atexit
import os
import sys
import warnings

from ._wire import pack_record as _pack_record


class _Values:
    """A dict-like view with attribute and item access; subclasses send changes to the bridge in `update`."""

    def __init__(self, run, initial=None):
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_values", dict(initial or {}))

    def update(self, values):
        raise NotImplementedError

    def __setitem__(self, key, value):
        self.update({key: value})

    def __getitem__(self, key):
        return self._values[key]

    def __setattr__(self, key, value):
        self.update({key: value})

    def __getattr__(self, key):
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(key) from None

    def __contains__(self, key):
        return key in self._values

    def get(self, key, default=None):
        return self._values.get(key, default)

    def keys(self):
        return self._values.keys()

    def items(self):
        return self._values.items()

    def as_dict(self):
        return dict(self._values)

    def __repr__(self):
        return f"{type(self).__name__}({self._values!r})"


class Config(_Values):
    """`run.config`: attribute and item access, `update()`; every change is sent to the bridge."""

    def update(self, values, allow_val_change=False):
        values = _plain(values)
        self._values.update(values)
        self._run._record(["config", values, {"allow_val_change": allow_val_change}])


class Summary(_Values):
    """`run.summary`: the last value logged per key, overridable with item/attribute assignment or `update()`."""

    def update(self, values):
        values = _plain(values)
        self._values.update(values)
        self._run._record(["summary", values])

    def __delitem__(self, key):
        self._values.pop(key, None)
        self._run._record(["summary_delete", key])


def _plain(values):
    if hasattr(values, "__dict__") and not isinstance(values, dict):
        values = {k: v for k, v in vars(values).items() if not k.startswith("_")}  # argparse.Namespace
    if not isinstance(values, dict):
        raise TypeError(f"expected a dict of values, got {type(values).__name__}")
    return dict(values)


class Run:
    def __init__(self, connection, described, init_options, settings):
        self._connection = connection
        self._finished = False
        self._init_options = init_options
        self._settings = settings
        self.id = described["id"]
        self._enqueue = connection.queue_of(self.id).extend
        self.name = described["name"]
        self.entity = described["entity"]
        self.project = described["project"]
        self.path = described["path"]
        self.dir = described["dir"]
        self.url = described.get("url")
        self.resumed = described.get("resumed", False)
        self.step = described.get("step", 0)
        self.config = Config(self, init_options.get("config"))
        self.summary = Summary(self)
        self._watches = []
        atexit.register(self._finish_at_exit)

    # -- logging ----------------------------------------------------------------------------------

    def _record(self, item):
        if self._finished:
            raise RuntimeError(f"Run ({self.id}) is finished. Start a new run with runlog.init().")
        self._enqueue(_pack_record(item))

    def log(self, data, step=None, commit=None):
        """Queues a row (never waits on the network). Same step/commit rules as W&B."""
        if step is None and commit is None and type(data) is dict and not self._finished:
            self._enqueue(_pack_record(("log", data)))  # the training loop's call, kept to one line
            return
        if not isinstance(data, dict):
            raise TypeError(f"log() takes a dict, got {type(data).__name__}")
        if step is not None and (not isinstance(step, int) or isinstance(step, bool) or step < 0):
            raise ValueError(f"step must be a non-negative int, got {step!r}")
        options = {}
        if step is not None:
            options["step"] = step
            self.step = max(self.step, step)
        if commit is not None:
            options["commit"] = bool(commit)
        self._record(["log", data, options] if options else ["log", data])

    def define_metric(self, name, step_metric=None, step_sync=None, hidden=None, summary=None, goal=None, overwrite=None):
        options = {k: v for k, v in dict(step_metric=step_metric, step_sync=step_sync, hidden=hidden, summary=summary, goal=goal, overwrite=overwrite).items() if v is not None}
        self._record(["define_metric", name, options])

    def alert(self, title, text, level="INFO", wait_duration=None):
        level = getattr(level, "value", level)
        self._record(["alert", {"title": title, "text": text, "level": str(level).upper(), **({"wait_duration": float(getattr(wait_duration, "total_seconds", lambda: wait_duration)())} if wait_duration else {})}])

    def save(self, glob_str, base_path=None, policy="now"):
        """Copies files into the run's files (the bridge runs on this machine and reads them)."""
        # As in W&B: a relative glob keeps its path relative to the working directory.
        if base_path is None and not os.path.isabs(glob_str):
            base_path = os.getcwd()
        message = {"t": "save", "run": self.id, "path": os.path.abspath(glob_str)}
        if base_path:
            message["base_path"] = os.path.abspath(base_path)
        return self._connection.request(message)["saved"]

    # -- artifacts and models ---------------------------------------------------------------------

    def log_artifact(self, artifact_or_path, name=None, type=None, aliases=None):
        from .artifacts import Artifact

        artifact = artifact_or_path
        if not isinstance(artifact, Artifact):
            path = str(artifact_or_path)
            artifact = Artifact(name or f"run-{self.id}-{os.path.basename(path.rstrip('/'))}", type or "unspecified")
            artifact.add_dir(path) if os.path.isdir(path) else artifact.add_file(path)
        self._flush_records()
        staging = artifact._upload(self._connection, self.id)
        message = {"t": "log_artifact", "run": self.id, "staging": staging, "name": artifact.name, "type": artifact.type, "aliases": list(aliases or []), "metadata": artifact.metadata}
        if artifact.description:
            message["description"] = artifact.description
        return artifact._describe(self._connection.request(message))

    def use_artifact(self, artifact_or_name, type=None, aliases=None):
        from .artifacts import UsedArtifact

        name = getattr(artifact_or_name, "qualified_name", None) or getattr(artifact_or_name, "name", None) or artifact_or_name
        used = UsedArtifact(self, str(name), type, aliases)
        used._resolve()  # records the input edge now, as W&B does
        return used

    def log_model(self, path, name=None, aliases=None):
        return self._log_model(path, name, aliases, None)

    def link_model(self, path, registered_model_name, name=None, aliases=None):
        return self._log_model(path, name, aliases, registered_model_name)

    def _log_model(self, path, name, aliases, registered):
        from .artifacts import upload_file

        path = str(path)
        staging = None
        if os.path.isdir(path):
            for folder, _, files in os.walk(path):
                for file in files:
                    full = os.path.join(folder, file)
                    staging = upload_file(self._connection, self.id, staging, os.path.relpath(full, path).replace(os.sep, "/"), full)
        else:
            staging = upload_file(self._connection, self.id, None, os.path.basename(path), path)
        message = {"t": "log_model", "run": self.id, "staging": staging}
        if name:
            message["name"] = name
        if aliases:
            message["aliases"] = list(aliases)
        if registered:
            message["registered_model_name"] = registered
        return self._connection.request(message)

    def use_model(self, name, root=None):
        """Downloads a model artifact; returns the file when it holds one, else the folder."""
        from .artifacts import download_dir

        message = {"t": "use_artifact", "run": self.id, "name": name, "model": True}
        if root:
            message["root"] = os.path.abspath(root)
        else:
            message["download_dir"] = download_dir()
        return self._connection.request(message)["path"]

    def _flush_records(self):
        self._connection.drain(self.id, float(self._settings.get("finish_timeout", 60)))

    def watch(self, models, criterion=None, log="gradients", log_freq=1000, idx=None, log_graph=False, filter=None):
        from .watch import watch

        self._watches.append(watch(self, models, log=log, log_freq=log_freq, filter=filter))

    def unwatch(self, models=None):
        for handle in self._watches:
            handle.remove()
        self._watches = []

    # -- ending -----------------------------------------------------------------------------------

    def finish(self, exit_code=None, quiet=None):
        """Sends what is queued, waits for the bridge to have it (finish_timeout, default 60 s), then closes the run."""
        if self._finished:
            return
        self.unwatch()
        timeout = float(self._settings.get("finish_timeout", 60))
        left = self._connection.drain(self.id, timeout)
        self._finished = True
        if left:
            warnings.warn(f"runlog: {left} records of run {self.id} were not delivered to the bridge within {timeout:.0f} s; they are lost.", stacklevel=2)
        try:
            self._connection.request({"t": "finish", "run": self.id, "exit_code": int(exit_code or 0)}, timeout=timeout)
        except Exception as error:  # the bridge is gone: nothing more can be done from here
            warnings.warn(f"runlog: finishing run {self.id} failed: {error}", stacklevel=2)
        from . import _state

        if _state.run is self:
            _state.clear()

    def _finish_at_exit(self):
        if not self._finished:
            self.finish(exit_code=1 if getattr(sys, "last_value", None) is not None else 0)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.finish(exit_code=1 if exc_type is not None else 0)
        return False

    def __repr__(self):
        return f"<runlog Run {self.path} ({self.name})>"


def _discard(packed):
    """Where a disabled run's records go."""


class DisabledRun(Run):
    """mode="disabled": the same API, nothing sent anywhere."""

    def __init__(self, init_options):
        self._finished = False
        self.id, self.name, self.entity, self.project = "disabled", "disabled", "", init_options.get("project") or ""
        self.path, self.dir, self.url, self.resumed, self.step = "", "", None, False, 0
        self._settings = {}
        self._watches = []
        self._enqueue = _discard
        self.config = Config(self, init_options.get("config"))
        self.summary = Summary(self)

    def _record(self, item):
        pass

    def save(self, glob_str, base_path=None, policy="now"):
        return []

    def finish(self, exit_code=None, quiet=None):
        self._finished = True
        from . import _state

        if _state.run is self:
            _state.clear()


