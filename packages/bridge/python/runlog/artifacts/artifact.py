"""`Artifact` as W&B's: files added before logging (add_file, add_dir, new_file, add for data types,
add_reference for file:// URIs), and after logging or use its version, aliases, files, download()."""
import contextlib
import json
import os
import re
import shutil
import tempfile
import urllib.parse

from ..errors import Error, UsageError

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class ArtifactNotLoggedError(Error, AttributeError):
    """A logged artifact's member used on a draft (W&B's class of the same name, an AttributeError)."""

    code = "ARTIFACT_NOT_FOUND"


class ArtifactFile:
    """One entry of `artifact.files()`."""

    def __init__(self, name, size=None):
        self.name, self.size = name, size

    def __repr__(self):
        return f"<ArtifactFile {self.name}>"


class Artifact:
    def __init__(self, name, type, description=None, metadata=None, incremental=False, use_as=None, storage_region=None,
                 digest_algorithm="MD5"):
        # The store keeps every file in one place and checks files by its own digest: storage_region and
        # digest_algorithm have nothing to choose here, so they are only checked as W&B checks them.
        if digest_algorithm not in ("MD5", "XXH128"):
            raise ValueError(f"digest_algorithm must be 'MD5' or 'XXH128', got {digest_algorithm!r}")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"Artifact name may only contain alphanumeric characters, dashes, underscores, and dots; got {name!r}")
        if not isinstance(type, str) or not type:
            raise ValueError(f"Artifact type must be a non-empty string, got {type!r}")
        if metadata is not None and not isinstance(metadata, dict):
            raise TypeError(f"metadata must be a dict, got {metadata.__class__.__name__}")
        self.name, self.type, self.description = name, type, description
        self.metadata = dict(metadata or {})
        self.incremental = incremental
        self._files = {}  # name in the artifact → local path
        self._temp = None
        self._run = None
        self.version = None
        self.qualified_name = None
        self.aliases = []
        self.digest = None
        self.size = None
        self._logged_files = None

    @property
    def source_name(self):
        return f"{self.name}:{self.version}" if self.version else self.name

    @property
    def state(self):
        return "COMMITTED" if self.version else "PENDING"

    # -- before logging ------------------------------------------------------------------------------

    def _check_draft(self, what):
        if self.version is not None:
            raise UsageError(f"Artifact {self.qualified_name} is logged; {what} works on a new Artifact", code="INVALID_ARGUMENT")

    def add_file(self, local_path, name=None, is_tmp=False, skip_cache=None, policy=None, overwrite=False):
        self._check_draft("add_file")
        local_path = os.fspath(local_path)
        if not os.path.isfile(local_path):
            raise ValueError(f"Path is not a file: {local_path!r}")
        entry = (name or os.path.basename(local_path)).replace(os.sep, "/")
        self._files[entry] = os.path.abspath(local_path)
        return ArtifactFile(entry, os.path.getsize(local_path))

    def add_dir(self, local_path, name=None, skip_cache=None, policy=None, merge=False):
        self._check_draft("add_dir")
        local_path = os.fspath(local_path)
        if not os.path.isdir(local_path):
            raise ValueError(f"Path is not a directory: {local_path!r}")
        for folder, _, files in os.walk(local_path):
            for file in sorted(files):
                full = os.path.join(folder, file)
                relative = os.path.relpath(full, local_path).replace(os.sep, "/")
                self.add_file(full, f"{name}/{relative}" if name else relative)

    def add_reference(self, uri, name=None, checksum=True, max_objects=None):
        """file:// references are copied in (the store keeps the bytes; W&B keeps only the URI and a
        checksum — listed as deliberate in the README). Other schemes need the cloud and are refused."""
        parsed = urllib.parse.urlparse(str(uri))
        if parsed.scheme != "file":
            raise ValueError(f"runlog artifacts take file:// references; {uri!r} needs a cloud store (download it and add_file)")
        path = urllib.parse.unquote(parsed.path)
        if os.path.isdir(path):
            self.add_dir(path, name=name)
        else:
            self.add_file(path, name=name or os.path.basename(path))

    def _scratch(self):
        if self._temp is None:
            self._temp = tempfile.mkdtemp(prefix="runlog-artifact-")
        return self._temp

    @contextlib.contextmanager
    def new_file(self, name, mode="x", encoding=None, policy="mutable"):
        self._check_draft("new_file")
        if policy not in ("mutable", "immutable"):
            raise ValueError("Invalid policy: {policy!r}. Must be one of 'mutable' or 'immutable'.")
        if name in self._files:
            raise ValueError(f"File with name {name!r} already exists in the artifact")
        path = os.path.join(self._scratch(), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, mode, encoding=encoding) as f:
            yield f
        self._files[name] = path

    def add(self, obj, name, overwrite=False):
        """A data type (Table, Image, …) as W&B's `<name>.<type>.json` entry."""
        self._check_draft("add")
        kind = getattr(obj, "_log_type", None)
        if kind is None:
            raise ValueError(f"Artifact.add takes a runlog data type (Table, Image, …), got {type(obj).__name__}")
        entry = name if name.endswith(f".{kind}.json") else f"{name}.{kind}.json"
        path = os.path.join(self._scratch(), entry)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(obj._to_json(), f)
        self._files[entry] = path
        return ArtifactFile(entry)

    def remove(self, item):
        self._check_draft("remove")
        self._files.pop(getattr(item, "name", item), None)

    # -- after logging or use ------------------------------------------------------------------------

    def files(self, names=None, per_page=50, start=None):
        if self._logged_files is None:
            raise ArtifactNotLoggedError(f"'Artifact.files' used prior to logging artifact {self.name!r}; log it (or use a logged one) first")
        chosen = [ArtifactFile(n) for n in self._logged_files if names is None or n in names]
        return chosen[int(start):] if start else chosen

    def get_entry(self, name):
        for file in self.files():
            if file.name == name:
                return file
        raise KeyError(f"Path not contained in artifact: {name}")

    def get(self, name):
        """A data type added with `add` (read back from the downloaded files)."""
        from ..data_types import Table

        for kind, build in (("table", Table._from_json),):
            entry = name if name.endswith(f".{kind}.json") else f"{name}.{kind}.json"
            if entry in self._files or (self._logged_files and entry in self._logged_files):
                path = self._files.get(entry) or os.path.join(self.download(), entry)
                with open(path, encoding="utf-8") as f:
                    return build(json.load(f))
        return None

    def download(self, root=None, allow_missing_references=False, skip_cache=None, path_prefix=None, multipart=None):
        if self.version is None:
            raise ArtifactNotLoggedError(f"'Artifact.download' used prior to logging artifact {self.name!r}")
        from ..api.client import api_request
        from .transfer import download_dir

        root = os.path.abspath(root) if root else os.path.join(download_dir(), f"{self.name}:{self.version}")
        return api_request("download", path=self.qualified_name, root=root)["root"]

    def save(self, project=None, settings=None):
        """Logs the artifact with the current run, or with a run of its own as W&B does."""
        from ..sdk import state
        from ..sdk.init import init

        if state.run is not None:
            return state.run.log_artifact(self)
        run = init(project=project, job_type="auto", settings=settings)
        try:
            return run.log_artifact(self)
        finally:
            run.finish()

    def wait(self, timeout=None):
        """log_artifact already waited for the bridge to store the version."""
        if self.version is None:
            raise UsageError("Artifact.wait needs a logged artifact", code="ARTIFACT_NOT_FOUND")
        return self

    def _upload(self, connection, run_id):
        if not self._files:
            raise ValueError(f"artifact {self.name!r} has no files; add some with add_file/add_dir/new_file")
        from .transfer import upload_file

        staging = None
        for name, path in sorted(self._files.items()):
            staging = upload_file(connection, run_id, staging, name, path)
        return staging

    def _describe(self, result, run=None):
        self._run = run
        self.version = result.get("version")
        self.qualified_name = result.get("qualified_name")
        self.aliases = list(result.get("aliases") or [])
        self.digest = result.get("digest")
        self.size = result.get("size")
        self.name = result.get("name") or self.name
        self.type = result.get("type") or self.type
        if result.get("metadata") is not None:
            self.metadata = dict(result["metadata"])
        if result.get("files") is not None:
            self._logged_files = list(result["files"])
        elif self._files:
            self._logged_files = sorted(self._files)
        if self._temp:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None
            self._files = {}
        return self

    def __repr__(self):
        return f"<Artifact {self.qualified_name or self.name} ({self.type})>"


class UsedArtifact(Artifact):
    """What use_artifact returns: the version the run used, already downloaded (W&B's ./artifacts)."""

    def __init__(self, run, name, type, aliases):
        short = name.split("/")[-1].split(":")[0]
        super().__init__(short if _NAME.match(short) else "artifact", type or "unspecified")
        self._run, self._request_name, self._request_type, self._request_aliases = run, name, type, aliases
        self._root = None

    def download(self, root=None, **ignored):
        from .transfer import download_dir

        message = {"t": "use_artifact", "run": self._run.id, "name": self._request_name}
        if self._request_type:
            message["type"] = self._request_type
        if self._request_aliases:
            message["aliases"] = list(self._request_aliases)
        if root:
            message["root"] = os.path.abspath(root)
        else:
            message["download_dir"] = download_dir()
        result = self._run._connection.request(message)
        self._describe(result, self._run)
        self._root = result["root"]
        return self._root

    def _resolve(self):
        if self._root is None:
            self.download()
        return self
