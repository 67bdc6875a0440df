"""Moving artifact files to the bridge: streamed in 1 MiB chunks, so a bridge on another host works
the same; the bridge versions and stores them."""
import os

CHUNK = 1024 * 1024


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
    """W&B's ./artifacts (WANDB_ARTIFACT_DIR / RUNLOG_ARTIFACT_DIR move it)."""
    return os.path.abspath(os.environ.get("RUNLOG_ARTIFACT_DIR") or os.environ.get("WANDB_ARTIFACT_DIR") or "artifacts")
