"""init()'s bridge start-up overlaps the client's own imports: `while_starting` runs after Node is
spawned and before its "listening" line is read (the real CLI, built; a private bridge)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from runlog import _launcher

CLI = os.path.join(os.path.dirname(__file__), "..", "..", "..", "cli", "bin", "runlog.js")


def _start(monkeypatch, tmp_path, while_starting):
    monkeypatch.delenv("RUNLOG_BRIDGE", raising=False)
    monkeypatch.setenv("RUNLOG_CLI", os.path.abspath(CLI))
    monkeypatch.setenv("RUNLOG_BRIDGE_SHARED", "0")
    monkeypatch.setenv("RUNLOG_DIR", str(tmp_path / "runlog"))
    _launcher._started.clear()
    try:
        return _launcher.bridge_endpoint(while_starting=while_starting)
    finally:
        _launcher._stop_private()
        _launcher._started.clear()


def _booting_bridge():
    """1 when the bridge this call spawned is running (and not yet waited for), else 0."""
    process = _launcher._booting
    return int(process is not None and process.poll() is None and "bridge" in process.args)


def test_while_starting_runs_once_node_is_spawned_and_before_it_is_waited_for(monkeypatch, tmp_path):
    seen = []
    endpoint = _start(monkeypatch, tmp_path, lambda: seen.append((_booting_bridge(), dict(_launcher._started))))
    assert seen == [(1, {})]  # the bridge process exists, and nothing is recorded yet: it was still starting
    assert endpoint.startswith("ipc://") and not os.path.exists(endpoint[len("ipc://"):])  # gone with its script's stdin


def test_a_failing_while_starting_does_not_stop_the_start(monkeypatch, tmp_path):
    def broken():
        raise ImportError("no zmq here")

    assert _start(monkeypatch, tmp_path, broken).startswith("ipc://")


def test_init_tells_the_bridge_who_logs_and_whether_to_read_git(monkeypatch):
    from runlog.sdk.init import _client
    from runlog.sdk.settings import Settings

    monkeypatch.delenv("RUNLOG_DISABLE_GIT", raising=False)
    monkeypatch.delenv("WANDB_DISABLE_GIT", raising=False)
    client = _client(Settings())
    assert client["cwd"] == os.getcwd() and client["pid"] == os.getpid() and client["executable"] == sys.executable
    assert client["disable_git"] is False and isinstance(client["args"], list)
    monkeypatch.setenv("WANDB_DISABLE_GIT", "true")
    assert _client(Settings())["disable_git"] is True
    assert _client(Settings(disable_git=False))["disable_git"] is False
