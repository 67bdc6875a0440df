"""Finding a bridge for init(): RUNLOG_BRIDGE, else one started from the runlog CLI (RUNLOG_CLI or
`runlog` on PATH; never npx, which could fetch an unrelated package) on a private ipc path."""
import atexit
import os
import shutil
import subprocess
import tempfile
import time


class BridgeNotFound(RuntimeError):
    pass


_started = {}


def bridge_endpoint():
    endpoint = os.environ.get("RUNLOG_BRIDGE")
    if endpoint:
        return endpoint
    if "endpoint" in _started:
        return _started["endpoint"]
    cli = os.environ.get("RUNLOG_CLI") or shutil.which("runlog")
    if not cli:
        raise BridgeNotFound(
            "No Runlog bridge to log to. Start one with `npx runlog bridge --endpoint tcp://127.0.0.1:5555` and set "
            "RUNLOG_BRIDGE=tcp://127.0.0.1:5555, or install the runlog CLI (npm install -g runlog) or point RUNLOG_CLI at it."
        )
    command = ["node", cli] if cli.endswith((".js", ".mjs")) else [cli]
    folder = tempfile.mkdtemp(prefix="runlog-bridge-")
    endpoint = f"ipc://{folder}/bridge.sock"
    directory = os.environ.get("RUNLOG_DIR", "./runlog")
    process = subprocess.Popen(
        command + ["bridge", "--endpoint", endpoint, "--dir", directory],
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "listening" in line or not line:
            break
    if process.poll() is not None or "listening" not in line:
        raise BridgeNotFound(f"`{' '.join(command)} bridge` did not start (exit {process.poll()}): {line.strip()}")
    _started.update(endpoint=endpoint, process=process, folder=folder)
    atexit.register(_stop)
    return endpoint


def _stop():
    process = _started.pop("process", None)
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    folder = _started.pop("folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
