"""`Api().runs(path, filters)`, `Api().run(path)` with `history()` (a pandas DataFrame when pandas
is installed, as W&B), `scan_history()`, `files()`, and `Api().artifact(name)`."""
from ..artifacts import Artifact
from ..errors import UsageError
from .client import api_request


def _path(path, default_entity=None, default_project=None):
    """W&B accepts entity/project/run_id, entity/project/runs/run_id and project/run_id."""
    parts = [p for p in str(path).strip("/").split("/") if p]
    if len(parts) >= 2 and parts[-2] == "runs":
        parts = parts[:-2] + parts[-1:]
    if len(parts) == 2 and default_entity:
        parts = [default_entity, *parts]
    return "/".join(parts)


class File:
    def __init__(self, described, run_path=None):
        self.name = described.get("path") or described.get("name")
        self.size = described.get("size")
        self._described = described
        self._run_path = run_path

    def download(self, root=".", replace=False, exist_ok=False, api=None):
        """Copies the file to `root/<name>` and returns it opened for reading, as W&B's `File.download`."""
        import os
        import shutil

        target = os.path.join(root, *self.name.split("/"))
        if os.path.exists(target) and not replace:
            if not exist_ok:
                raise ValueError(f"File already exists, pass replace=True to overwrite or exist_ok=True to leave it as is and don't error: {target}")
            return open(target)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        shutil.copyfile(api_request("file_path", path=self._run_path, name=self.name), target)
        return open(target)

    def __repr__(self):
        return f"<File {self.name} ({self.size} bytes)>"


class Run:
    """A stored run (W&B's `wandb.apis.public.Run`)."""

    def __init__(self, described):
        self._described = described
        for key in ("id", "entity", "project", "name", "notes", "state", "config", "summary", "metadata", "group", "job_type", "sweep_id"):
            setattr(self, key, described.get(key))
        self.tags = list(described.get("tags") or [])
        self.path = [self.entity, self.project, self.id]
        self.created_at = described.get("created_at")
        self.lastHistoryStep = described.get("last_step")

    @property
    def _path(self):
        return "/".join(self.path)

    def history(self, samples=500, keys=None, x_axis="_step", pandas=True, stream="default"):
        rows = api_request("history", path=self._path, samples=samples, keys=list(keys) if keys else None)
        if keys:
            rows = [row for row in rows if all(key in row for key in keys)]
        if pandas:
            try:
                import pandas as pd
            except ImportError:
                return rows
            return pd.DataFrame.from_records(rows)
        return rows

    def scan_history(self, keys=None, page_size=1000, min_step=None, max_step=None, use_cache=True):
        rows = api_request("scan_history", path=self._path, keys=list(keys) if keys else None, min_step=min_step,
                           max_step=None if max_step is None else max_step - 1)
        for row in rows:
            if not keys or all(key in row for key in keys):
                yield row

    def files(self, names=None, pattern=None, per_page=50):
        """The run's files; `pattern` is W&B's: `*` and `?` wildcards over the file's path."""
        import fnmatch

        files = [File(f, self._path) for f in api_request("files", path=self._path)]
        return [f for f in files if (names is None or f.name in names) and (pattern is None or fnmatch.fnmatchcase(f.name, pattern))]

    def file(self, name):
        for f in self.files():
            if f.name == name:
                return f
        raise UsageError(f"run {self._path} has no file {name!r}", code="RUN_NOT_FOUND")

    def __repr__(self):
        return f"<Run {self._path} ({self.state})>"


class Runs(list):
    """What `Api().runs()` answers: a list of runs (W&B pages them lazily; a local store needs no paging)."""


class Api:
    def __init__(self, overrides=None, timeout=None, api_key=None):
        overrides = dict(overrides or {})
        self.default_entity = overrides.get("entity")
        self.default_project = overrides.get("project")
        self._timeout = timeout or 60

    def run(self, path=""):
        return Run(api_request("run", timeout=self._timeout, path=_path(path, self.default_entity)))

    def runs(self, path=None, filters=None, order="-created_at", per_page=50, include_sweeps=True, lazy=True):
        path = path or "/".join(p for p in (self.default_entity, self.default_project) if p)
        found = api_request("runs", timeout=self._timeout, path=str(path), filters=filters, order=order)
        return Runs(Run(described) for described in found)

    def artifact(self, name, type=None):
        described = api_request("artifact", timeout=self._timeout, path=str(name))
        if type is not None and described.get("type") != type:
            raise ValueError(f"Artifact {name} has type {described.get('type')!r}, not {type!r}")
        artifact = Artifact(described["name"], described["type"])
        return artifact._describe(described)
