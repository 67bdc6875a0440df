"""`runlog.sweep()` / `runlog.agent()` with W&B's signatures, through the bridge: the bridge keeps
the sweep in its store and runs core's agent (trials handed out under the store's lock, leases,
early termination); the trial's function runs here, in a thread as W&B's agent runs it, with the
trial's environment (RUNLOG_/WANDB_ SWEEP_ID, RUN_ID, SWEEP_PARAM_PATH), so `init()` inside it
takes the trial's parameters, locked. A trial early termination stops gets an exception raised in
its thread (W&B's agent does the same), and its run ends with exit code 1."""
import ctypes
import os
import sys
import threading
import traceback

from ..errors import UsageError
from . import state

POLL_SECONDS = 0.5
TRIAL_TIMEOUT = 3600.0


class TrialStopped(Exception):
    """Raised inside a trial's function when the sweep stops the trial (early termination, cancel)."""


def _connection():
    from .._launcher import bridge_endpoint
    from .connection import Connection

    if state.connection is None:
        state.connection = Connection(bridge_endpoint())
    return state.connection


def _request(method, **args):
    return _connection().request({"t": "sweep", "method": method, "args": {k: v for k, v in args.items() if v is not None}})


def sweep(sweep, entity=None, project=None, prior_runs=None):
    """Creates a sweep from W&B's sweep config (a dict, or a callable returning one) and returns its id."""
    if callable(sweep):
        sweep = sweep()
    if not isinstance(sweep, dict):
        raise UsageError(f"sweep must be a dict (W&B's sweep config) or a callable returning one, got {type(sweep).__name__}")
    if prior_runs:
        raise UsageError("prior_runs is not supported: Runlog's sweeps start from their own trials", code="MODE_UNAVAILABLE")
    if project is None:
        project = sweep.get("project")
    sweep_id = _request("create", config=sweep, entity=entity, project=project)["id"]
    print("Create sweep with ID:", sweep_id)
    return sweep_id


def agent(sweep_id, function=None, entity=None, project=None, count=None, forward_signals=False, term_timeout=None,
          max_consecutive_failed_runs=None):
    """Runs trials of `sweep_id`: `function` in this process (one trial per call), or the sweep's program."""
    if function is not None and not callable(function):
        raise TypeError("function parameter must be callable!")
    if max_consecutive_failed_runs is not None:
        if isinstance(max_consecutive_failed_runs, bool) or not isinstance(max_consecutive_failed_runs, int):
            raise TypeError("max_consecutive_failed_runs must be an integer or None")
        if max_consecutive_failed_runs < 1:
            raise ValueError("max_consecutive_failed_runs must be at least 1")
        raise UsageError("max_consecutive_failed_runs: Runlog's agent stops after RUNLOG_AGENT_MAX_INITIAL_FAILURES (default 5) failed "
                         "trials from the start, or 3 within 60 s; set that variable instead", code="MODE_UNAVAILABLE")
    if forward_signals or term_timeout is not None:
        raise UsageError("forward_signals and term_timeout apply to the CLI agent: use `runlog agent` (RUNLOG_AGENT_STOP_GRACE_SECONDS)",
                         code="MODE_UNAVAILABLE")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise TypeError(f"count must be an int, got {type(count).__name__}")
    handle = _request("agent_start", sweep_id=str(sweep_id), entity=entity, project=project, count=count, function=function is not None)["agent"]
    while True:
        answer = _request("agent_next", agent=handle)
        if answer.get("done"):
            return
        if answer.get("trial"):
            _run_trial(handle, answer["trial"], function)


def _run_trial(handle, trial, function):
    env = trial["env"]
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    failure = []
    thread = threading.Thread(target=_call, args=(function, trial, failure), name=f"runlog-trial-{trial['run_id']}", daemon=True)
    print(f"runlog agent: starting run {trial['run_id']} with config:", file=sys.stderr)
    for key, value in trial["params"].items():
        print(f"\t{key}: {value}", file=sys.stderr)
    try:
        thread.start()
        stopped = False
        while thread.is_alive():
            thread.join(POLL_SECONDS)
            if not stopped and thread.is_alive() and _request("agent_poll", agent=handle).get("stop"):
                stopped = True
                _raise_in(thread, TrialStopped)
        thread.join()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    _request("agent_done", agent=handle, ok=not failure, error=failure[0] if failure else None)


def _call(function, trial, failure):
    """One trial, as W&B's agent runs it: the function, then the run finished (exit code 1 when it raised)."""
    try:
        function()
        _finish_trial_run(trial, 0)
    except BaseException as error:  # the trial's failure (or its stop) is reported, never raised into the agent
        if not isinstance(error, TrialStopped):
            traceback.print_exc()
        failure.append(f"{type(error).__name__}: {error}")
        _finish_trial_run(trial, 1)


def _finish_trial_run(trial, exit_code):
    run = state.run
    if run is not None and run.id == trial["run_id"]:
        run.finish(exit_code=exit_code)


def _raise_in(thread, exception):
    """W&B's agent stops a function trial by raising in its thread (it lands at the next Python bytecode)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exception))
