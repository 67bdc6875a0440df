"""W&B's artifact and model members of `Run` (log/use/upsert/finish/link artifact, log/use/link model)."""
import os

from ..artifacts import Artifact, download_dir, upload_file
from ..errors import UsageError


def _as_artifact(artifact_or_path, name, type, run_id):
    if isinstance(artifact_or_path, Artifact):
        return artifact_or_path
    path = os.fspath(artifact_or_path)
    if "://" in path:
        raise ValueError(f"log_artifact takes an Artifact or a local path; for {path!r} use Artifact.add_reference")
    if not os.path.exists(path):
        raise ValueError(f"Path {path!r} is not an existing file or folder")
    artifact = Artifact(name or f"run-{run_id}-{os.path.basename(path.rstrip('/'))}", type or "unspecified")
    artifact.add_dir(path) if os.path.isdir(path) else artifact.add_file(path)
    return artifact


class ArtifactMethods:
    def log_artifact(self, artifact_or_path, name=None, type=None, aliases=None, tags=None):
        return self._send_artifact(artifact_or_path, name, type, aliases, None, None)

    def upsert_artifact(self, artifact_or_path, name=None, type=None, aliases=None, distributed_id=None):
        return self._send_artifact(artifact_or_path, name, type, aliases, "upsert", distributed_id or self.group or None)

    def finish_artifact(self, artifact_or_path, name=None, type=None, aliases=None, distributed_id=None):
        return self._send_artifact(artifact_or_path, name, type, aliases, "finish", distributed_id or self.group or None)

    def _send_artifact(self, artifact_or_path, name, type, aliases, mode, distributed_id):
        if isinstance(aliases, str):
            aliases = [aliases]
        for alias in aliases or []:
            if any(c in alias for c in "/:"):
                raise ValueError(f"Aliases must not contain any of the following characters: '/', ':'; got {alias!r}")
        if mode and not distributed_id:
            raise UsageError(f"{mode}_artifact needs distributed_id (or a run group): it names the version several runs write")
        artifact = _as_artifact(artifact_or_path, name, type, self.id)
        self._check_open("log_artifact")
        self._flush_records()
        staging = artifact._upload(self._connection, self.id)
        message = {"t": "log_artifact", "run": self.id, "staging": staging, "name": artifact.name, "type": artifact.type,
                   "aliases": list(aliases or []), "metadata": artifact.metadata}
        if artifact.description:
            message["description"] = artifact.description
        if mode:
            message["mode"], message["distributed_id"] = mode, distributed_id
        return artifact._describe(self._connection.request(message), self)

    def use_artifact(self, artifact_or_name, type=None, aliases=None, use_as=None):
        from ..artifacts import UsedArtifact

        name = getattr(artifact_or_name, "qualified_name", None) or getattr(artifact_or_name, "name", None) or artifact_or_name
        if not isinstance(name, str) or not name:
            raise ValueError(f"use_artifact takes an artifact name like 'dataset:v0' or an Artifact, got {artifact_or_name!r}")
        self._check_open("use_artifact")
        used = UsedArtifact(self, name, type, aliases)
        used._resolve()  # records the input edge now, as W&B does
        return used

    def link_artifact(self, artifact, target_path, aliases=None):
        """Links a logged artifact into a collection (a registry's portfolio); returns the linked one."""
        qualified = getattr(artifact, "qualified_name", None)
        if not qualified:
            raise ValueError("link_artifact needs an artifact that was logged (log_artifact first, then link it)")
        if isinstance(aliases, str):
            aliases = [aliases]
        return self._call("link_artifact", artifact=qualified, target_path=str(target_path), aliases=list(aliases or []))

    def log_model(self, path, name=None, aliases=None):
        return self._log_model(path, name, aliases, None)

    def link_model(self, path, registered_model_name, name=None, aliases=None):
        return self._log_model(path, name, aliases, registered_model_name)

    def _log_model(self, path, name, aliases, registered):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise ValueError(f"Path {path!r} is not an existing file or folder")
        self._check_open("log_model")
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
            message["aliases"] = [aliases] if isinstance(aliases, str) else list(aliases)
        if registered:
            message["registered_model_name"] = registered
        result = self._connection.request(message)
        if result is None:
            return None
        artifact = Artifact(result["name"], result["type"])
        return artifact._describe(result, self)

    def use_model(self, name):
        """Downloads a model artifact; returns the file when it holds one, else the folder (W&B's path)."""
        self._check_open("use_model")
        message = {"t": "use_artifact", "run": self.id, "name": name, "model": True, "download_dir": download_dir()}
        return self._connection.request(message)["path"]
