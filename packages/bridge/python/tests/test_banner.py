"""The init banner and finish summary the client prints (the bridge runs its runs quietly): what they
say for local and offline runs, and what silences them. No bridge: runs are described as init() gets them."""
import os
import sys
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from runlog.sdk import banner
from runlog.sdk.settings import Settings


def _run(tmp_path, offline=False, url="http://127.0.0.1:6006/team/vision/runs/r1", root="runlog"):
    files = tmp_path / root / "runs" / "team" / "vision" / "r1" / "files"
    return SimpleNamespace(name="calm-sea-1", path="team/vision/r1", dir=str(files), url=url, offline=offline)


def test_local_run_names_its_store_and_dashboard_then_its_final_metrics(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = _run(tmp_path)
    assert banner.start_lines(run) == [
        'logging run "calm-sea-1" (team/vision/r1) to ./runlog',
        "watch it live: `npx runlog ui` → http://127.0.0.1:6006/team/vision/runs/r1",
    ]
    summary = {"_step": 9, "loss": 0.0123456, "acc": 1, "ok": True, "big": [1, 2], "a": 1, "b": 2, "c": 3, "system/cpu": 5}
    first, second = banner.finish_lines(run, "finished", 1.26, 10, summary)
    assert first == 'run "calm-sea-1" finished after 1.3 s, 10 steps: loss 0.01235, acc 1, ok true, a 1, b 2 (+2 more in the summary)'
    assert second == (
        "saved in ./runlog; look at it with `npx runlog ui` → http://127.0.0.1:6006/team/vision/runs/r1"
        " (or `npx runlog runs show team/vision/r1`)"
    )


def test_a_store_elsewhere_is_named_with_dir_and_a_run_without_metrics_says_only_its_steps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = _run(tmp_path, root="elsewhere")
    assert banner.start_lines(run)[1].startswith("watch it live: `npx runlog ui --dir ./elsewhere` → ")
    assert banner.finish_lines(run, "failed", 0.04, 1, {})[0] == 'run "calm-sea-1" failed after 0.0 s, 1 step'


def test_offline_run_gives_the_sync_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = _run(tmp_path, offline=True, url=None)
    folder = "./runlog/runs/team/vision/r1"
    assert banner.start_lines(run) == [
        f'offline run "calm-sea-1" (team/vision/r1), saved in {folder}; after it finishes, `npx runlog sync {folder}` adds it to the store.'
    ]
    assert banner.finish_lines(run, "finished", 2, 3, {"x": 0.5})[1] == (
        f"offline: saved in {folder}; add it to the store with `npx runlog sync {folder}` (or upload it with --server URL)."
    )


def test_silenced_by_runlog_or_wandb_silent_and_by_quiet_or_silent_settings(monkeypatch):
    for name in ("RUNLOG_SILENT", "WANDB_SILENT"):
        monkeypatch.delenv(name, raising=False)
    assert not banner.silenced(Settings())
    assert banner.silenced(Settings(quiet=True))
    assert banner.silenced(Settings(silent=True))
    for name in ("RUNLOG_SILENT", "WANDB_SILENT"):
        monkeypatch.setenv(name, "true")
        assert banner.silenced(Settings())
        monkeypatch.delenv(name)


def test_lines_go_to_stderr_with_the_runlog_prefix(capsys):
    banner.write(["one", "two"])
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "runlog: one\nrunlog: two\n")


def test_online_run_through_a_bridge_names_the_team_server_and_its_page_not_the_bridges_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = "http://runlog.internal:8080/team/vision/runs/r1"
    run = _run(tmp_path, url=url)
    run._server = "http://runlog.internal:8080"  # what init's reply says when its mode is "online"
    assert banner.start_lines(run) == [f'logging run "calm-sea-1" (team/vision/r1) to http://runlog.internal:8080: {url}']
    first, second = banner.finish_lines(run, "finished", 0.5, 4000000, {})
    assert first == 'run "calm-sea-1" finished after 0.5 s, 4,000,000 steps'  # grouped, as the drain line
    assert second == f"saved on http://runlog.internal:8080: {url}"
    assert "runlog/" not in " ".join(banner.start_lines(run) + [second])


def test_a_run_reads_the_server_from_inits_reply_only_when_its_mode_is_online(tmp_path, monkeypatch):
    from runlog.sdk.connection import Connection
    from runlog.sdk.run import Run

    monkeypatch.chdir(tmp_path)
    connection = Connection("tcp://127.0.0.1:9")  # nothing is sent: the runs are only described
    runs = []
    try:
        connection.register("r1", {})
        url = "http://runlog.internal:8080/e/p/runs/r1"
        described = {"id": "r1", "name": "n", "entity": "e", "project": "p", "path": "e/p/r1", "dir": str(tmp_path), "url": url}
        online = Run(connection, {**described, "mode": "online", "server": "http://runlog.internal:8080"}, {}, {})
        runs.append(online)
        assert banner.start_lines(online) == [f'logging run "n" (e/p/r1) to http://runlog.internal:8080: {url}']
        # A bridge's local store (or an older bridge that sends no mode) keeps the local lines.
        for reply in ({"mode": "local", "server": None}, {}, {"mode": "local", "server": "http://elsewhere"}):
            local = Run(connection, {**described, **reply}, {}, {})
            runs.append(local)
            assert banner.start_lines(local)[0].startswith('logging run "n" (e/p/r1) to ')
            assert "runlog.internal" not in banner.start_lines(local)[0]
    finally:
        for run in runs:
            run._finished = True  # never started on a bridge: nothing for the exit hook to finish
        connection.close()
