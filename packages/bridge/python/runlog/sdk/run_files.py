"""`run.save`, `run.restore` and `run.log_code` (W&B's file members); the bridge runs on this host
and copies the files itself."""
import os

SAVE_POLICIES = ("live", "now", "end")


class FileMethods:
    def save(self, glob_str=None, base_path=None, policy="live", glob=True):
        """W&B's save: a relative glob keeps its path relative to `base_path` (default: the working directory);
        `glob=False` takes the path literally (its `*`, `?` and `[` are not patterns)."""
        if glob_str is None:
            return []
        glob_str = os.fspath(glob_str)
        if policy not in SAVE_POLICIES:
            raise ValueError('Invalid policy, must be one of "live", "now", "end"')
        if isinstance(glob_str, bytes):
            glob_str = glob_str.decode()
        if "://" in glob_str:
            raise ValueError(f"run.save() takes local paths, got the URL {glob_str!r}")
        if base_path is None:
            base_path = os.path.dirname(glob_str) if os.path.isabs(glob_str) else os.getcwd()
        path = os.path.abspath(glob_str)
        if not glob:
            import glob as globbing

            path = globbing.escape(path)
        self._flush_records()
        return self._call("save", path=path, base_path=os.path.abspath(base_path), policy=policy)["saved"]

    def restore(self, name, run_path=None, replace=False, root=None):
        """Copies a saved file into `root` (default: the run's folder); returns an open file, or None."""
        path = self._call("restore", name=str(name), **({"run_path": run_path} if run_path else {}),
                          replace=bool(replace), **({"root": os.path.abspath(root)} if root else {}))
        return open(path) if path else None

    def log_code(self, root=".", name=None, include_fn=None, exclude_fn=None):
        """Logs source files as a `code` artifact. W&B takes callables for include/exclude; they
        are evaluated here and sent as the list of chosen files."""
        root = os.path.abspath(root or ".")
        include = include_fn or (lambda path, root=None: path.endswith(".py"))
        exclude = exclude_fn or (lambda path, root=None: False)
        chosen = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "wandb", "runlog", "__pycache__") and not d.startswith(".venv")]
            for file in files:
                full = os.path.join(folder, file)
                if _call_fn(include, full, root) and not _call_fn(exclude, full, root):
                    chosen.append(os.path.relpath(full, root).replace(os.sep, "/"))
        if not chosen:
            return None
        from ..artifacts import Artifact

        artifact = Artifact(name or f"source-{self.project}-{_entry_name()}", "code")
        for relative in chosen:
            artifact.add_file(os.path.join(root, relative), name=relative)
        return self.log_artifact(artifact)


def _call_fn(fn, path, root):
    try:
        return fn(path, root)
    except TypeError:
        return fn(path)


def _entry_name():
    import re
    import sys

    program = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
    return re.sub(r"[^A-Za-z0-9._-]", "_", program) or "python"
