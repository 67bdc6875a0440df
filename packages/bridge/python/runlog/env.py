"""W&B's environment variables as aliases of Runlog's: RUNLOG_X wins, WANDB_X is read when it is unset."""
import os

_NAMES = ("RUN_ID", "RESUME", "DIR", "NAME", "NOTES", "TAGS", "RUN_GROUP", "JOB_TYPE", "MODE", "PROJECT", "ENTITY", "SILENT", "ARTIFACT_DIR", "SWEEP_ID",
          "SWEEP_PARAM_PATH")


def get(name):
    assert name in _NAMES, name
    value = os.environ.get(f"RUNLOG_{name}")
    if value is None or value == "":
        value = os.environ.get(f"WANDB_{name}")
    return value if value not in (None, "") else None


def tags():
    value = get("TAGS")
    return tuple(tag.strip() for tag in value.split(",") if tag.strip()) if value else None


def silent():
    return (get("SILENT") or "").lower() in ("1", "true", "yes")


def export_dir(directory):
    """The store folder a bridge started by this client uses (the launcher reads RUNLOG_DIR)."""
    if directory:
        os.environ["RUNLOG_DIR"] = os.path.abspath(directory)
    elif get("DIR") and not os.environ.get("RUNLOG_DIR"):
        os.environ["RUNLOG_DIR"] = os.path.abspath(get("DIR"))


def sweep_trial():
    """The sweep trial this process runs (an agent's environment): {id, param_path}, and the swept keys."""
    sweep_id = get("SWEEP_ID")
    if not sweep_id:
        return None, ()
    path = get("SWEEP_PARAM_PATH")
    keys = ()
    if path:
        import json

        try:
            with open(path, encoding="utf-8") as f:
                keys = tuple(json.load(f))
        except (OSError, ValueError):
            keys = ()  # the bridge reads the file too, and says what is wrong with it
    return {"id": sweep_id, **({"param_path": os.path.abspath(path)} if path else {})}, keys
