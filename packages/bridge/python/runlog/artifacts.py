"""W&B-style artifacts for the Python client. Files are streamed to the bridge in 1 MiB chunks
(so it works the same when the bridge is on another host); the bridge versions and stores them."""
import contextlib
import os
import shutil
import tempfile

CHUNK = 1024 * 1024


class Artifact:
    def __init__(self, name, type, description=None, metadata=None):
        self.name = name
        self.type = type
        self.description = description
        self.metadata = dict(metadata or {})
        self._files = {}  # name in the artifact → local path
        self._temp = None
        self.version = None
        self.qualified_name = None
        self.aliases = []
        self.digest = None

    def add_file(self, local_path, name=None):
        if not os.path.isfile(local_path):
            raise ValueError(f"add_file: {local_path!r} is not a file; use add_dir for folders")
        self._files[name or os.path.basename(local_path)] = os.path.abspath(local_path)
        return name or os.path.basename(local_path)

    def add_dir(self, local_path, name=None):
        if not os.path.isdir(local_path):
            raise ValueError(f"add_dir: {local_path!r} is not a folder")
        added = []
        for folder, _, files in os.walk(local_path):
            for file in files:
                full = os.path.join(folder, file)
                relative = os.path.relpath(full, local_path).replace(os.sep, "/")
                added.append(self.add_file(full, f"{name}/{relative}" if name else relative))
        return added

    @contextlib.contextmanager
    def new_file(self, name, mode="w", encoding=None):
        if self._temp is None:
            self._temp = tempfile.mkdtemp(prefix="runlog-artifact-")
        path = os.path.join(self._temp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode, encoding=encoding) as f:
            yield f
        self._files[name] = path

    def _upload(self, connection, run_id):
        """Streams every file to the bridge; returns the staging id."""
        if not self._files:
            raise ValueError(f"artifact {self.name!r} has no files; add some with add_file/add_dir/new_file")
        staging = None
        for name, path in sorted(self._files.items()):
            staging = upload_file(connection, run_id, staging, name, path)
        return staging

    def _describe(self, result):
        self.version = result.get("version")
        self.qualified_name = result.get("qualified_name")
        self.aliases = result.get("aliases") or []
        self.digest = result.get("digest")
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None
        return self

    def __repr__(self):
        return f"<Artifact {self.qualified_name or self.name} ({self.type})>"


def upload_file(connection, run_id, staging, name, path):
    with open(path, "rb") as f:
        offset = 0
        while True:
            data = f.read(CHUNK)
            if not data and offset > 0:
                break
            message = {"t": "upload", "run": run_id, "name": name, "offset": offset, "data": data}
            if staging:
                message["staging"] = staging
            staging = connection.request(message)["staging"]
            offset += len(data)
            if len(data) < CHUNK:
                break
    return staging


def download_dir():
    return os.path.abspath(os.environ.get("RUNLOG_ARTIFACT_DIR") or "artifacts")


class UsedArtifact:
    """What use_artifact returns: the version the run used; download() puts its files in a folder."""

    def __init__(self, run, name, type, aliases):
        self._run, self._name, self._type, self._aliases = run, name, type, aliases
        self._result = None

    def download(self, root=None):
        message = {"t": "use_artifact", "run": self._run.id, "name": self._name}
        if self._type:
            message["type"] = self._type
        if self._aliases:
            message["aliases"] = list(self._aliases)
        if root:
            message["root"] = os.path.abspath(root)
        else:  # as W&B: ./artifacts/<name>:<version> in this process's folder
            message["download_dir"] = download_dir()
        self._result = self._run._connection.request(message)
        return self._result["root"]

    def _resolve(self):
        if self._result is None:
            self.download()
        return self._result

    @property
    def version(self):
        return self._resolve()["version"]

    @property
    def qualified_name(self):
        return self._resolve()["qualified_name"]

    @property
    def files(self):
        return self._resolve()["files"]
