"""Finding a bridge for init(): RUNLOG_BRIDGE, else one started from the runlog CLI (RUNLOG_CLI or
`runlog` on PATH; never npx, which could fetch an unrelated package).

By default the bridge is shared: the first script starts it in a private per-user folder (0700)
and records its socket there; later scripts with the same store and settings find it again under
a lock, so their init() does not wait for Node to start. It stops by itself once no script has
been connected for RUNLOG_BRIDGE_IDLE seconds (default 10). RUNLOG_BRIDGE_SHARED=0 starts a
private bridge instead, which stops with the script (even one killed by SIGKILL: its stdin closes).
"""
import atexit
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time


class BridgeNotFound(RuntimeError):
    pass


_started = {}
START_TIMEOUT = 30.0
PROBE_TIMEOUT_MS = 2000


def bridge_endpoint(while_starting=None):
    """The endpoint to log to; `while_starting` runs while a bridge this call started boots (Node takes
    longer to start than the client's own imports, which then cost nothing)."""
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
    directory = os.path.abspath(os.environ.get("RUNLOG_DIR") or "./runlog")
    if os.environ.get("RUNLOG_BRIDGE_SHARED", "1") == "0":
        endpoint = _private_bridge(command, directory, while_starting)
    else:
        endpoint = _shared_bridge(command, directory, while_starting)
    _started["endpoint"] = endpoint
    return endpoint


def _private_bridge(command, directory, while_starting=None):
    """A bridge of this process alone: it makes its own 0700 socket folder and removes it when its stdin closes."""
    process = subprocess.Popen(
        command + ["bridge", "--ipc-dir", tempfile.gettempdir(), "--exit-with-stdin", "--dir", directory],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        start_new_session=True,  # Ctrl-C reaches the script, which still finishes its run through the bridge
    )
    _meanwhile(while_starting, process)
    endpoint = _wait_listening(process, command)
    _started["process"] = process
    atexit.register(_stop_private)
    return endpoint


def _stop_private():
    process = _started.pop("process", None)
    if process is None:
        return
    process.stdin.close()  # the bridge finishes what it hosts and exits
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def _shared_bridge(command, directory, while_starting=None):
    runtime = runtime_dir()
    key = _bridge_key(command, directory)
    record = os.path.join(runtime, f"{key}.json")
    lock = os.open(os.path.join(runtime, f"{key}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        import fcntl

        fcntl.flock(lock, fcntl.LOCK_EX)  # one script starts the bridge; the others wait and find it
        found = _read_record(record)
        if found and _answers(found["endpoint"]):
            return found["endpoint"]
        idle = os.environ.get("RUNLOG_BRIDGE_IDLE") or "10"
        log = os.open(os.path.join(runtime, f"{key}.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            process = subprocess.Popen(
                command + ["bridge", "--ipc-dir", runtime, "--idle-exit", idle, "--dir", directory],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,  # it outlives this script: its problems go to a log next to its socket
                text=True,
                start_new_session=True,
            )
        finally:
            os.close(log)
        _meanwhile(while_starting, process)
        endpoint = _wait_listening(process, command)
        process.stdout.close()  # it prints nothing after the listening line
        partial = f"{record}.{os.getpid()}"
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            json.dump({"endpoint": endpoint, "pid": process.pid}, file)
        os.replace(partial, record)
        return endpoint
    finally:
        os.close(lock)  # releases the lock


_booting = None
"""The bridge process being waited for while `while_starting` runs (tests observe it)."""


def _meanwhile(while_starting, process):
    global _booting
    if while_starting is None:
        return
    _booting = process
    try:
        while_starting()
    except Exception:  # the caller does the same work again afterwards and reports its failure there
        pass
    finally:
        _booting = None


def runtime_dir():
    """The per-user folder for shared bridges: RUNLOG_RUNTIME_DIR, $XDG_RUNTIME_DIR/runlog, or /tmp/runlog-UID; always 0700 and ours."""
    path = os.environ.get("RUNLOG_RUNTIME_DIR")
    if not path:
        xdg = os.environ.get("XDG_RUNTIME_DIR")
        path = os.path.join(xdg, "runlog") if xdg and os.path.isdir(xdg) else os.path.join(tempfile.gettempdir(), f"runlog-{os.getuid()}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise BridgeNotFound(
            f"{path} must be a folder of your own that only you can open (mode 0700, not a link); "
            "remove it, set RUNLOG_RUNTIME_DIR to another folder, or set RUNLOG_BRIDGE_SHARED=0 for a private bridge."
        )
    return path


def _bridge_key(command, directory):
    """Scripts share a bridge only with the same CLI, store and Runlog/W&B settings in the environment."""
    settings = sorted((k, v) for k, v in os.environ.items() if k.startswith(("RUNLOG_", "WANDB_")) and not k.startswith("RUNLOG_BRIDGE"))
    return hashlib.sha256(json.dumps([command, directory, settings]).encode()).hexdigest()[:24]


def _read_record(path):
    try:
        with open(path) as file:
            found = json.load(file)
        return found if isinstance(found, dict) and isinstance(found.get("endpoint"), str) else None
    except (OSError, ValueError):
        return None


def _answers(endpoint):
    """Whether a bridge answers hello at the endpoint (a stopped one left its record behind)."""
    if endpoint.startswith("ipc://") and not os.path.exists(endpoint[len("ipc://"):]):
        return False
    import msgpack
    import zmq

    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.setsockopt(zmq.LINGER, 0)
    try:
        socket.connect(endpoint)
        socket.send(msgpack.packb({"v": 1, "t": "hello", "client": {"lang": "python", "pid": os.getpid()}}))
        if not socket.poll(PROBE_TIMEOUT_MS):
            return False
        reply = msgpack.unpackb(socket.recv(), raw=False)
        return isinstance(reply, dict) and reply.get("t") == "welcome"
    except (zmq.ZMQError, ValueError):
        return False
    finally:
        socket.close(linger=0)


def _wait_listening(process, command):
    deadline = time.monotonic() + START_TIMEOUT
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "listening" in line or not line:
            break
    if process.poll() is not None or "listening on " not in line:
        raise BridgeNotFound(f"`{' '.join(command)} bridge` did not start (exit {process.poll()}): {line.strip()}")
    return line.split("listening on ", 1)[1].split(" ")[0]
