"""`runlog.init`: W&B's arguments, environment variables and reinit rules; the bridge hosts the run."""
import os
import platform
import socket
import sys
import warnings

from .. import env
from ..errors import UsageError
from . import state
from .config import config_values
from .run_moment import check_branching
from .settings import as_settings

REINIT = {True: "finish_previous", False: "return_previous", None: "default", "default": "default",
          "return_previous": "return_previous", "finish_previous": "finish_previous", "create_new": "create_new"}
RESUME = {True: "auto", False: None, None: None, "allow": "allow", "must": "must", "never": "never", "auto": "auto"}


def _user():
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no login name (a container without one): W&B records none either
        return None


def _os():
    # Not platform.platform(): it reads the interpreter's binary for the libc version (~20 ms).
    uname = os.uname() if hasattr(os, "uname") else None
    return f"{uname.sysname}-{uname.release}-{uname.machine}" if uname else sys.platform


def _client(settings):
    """Who is logging: what W&B records about the process (a shared bridge outlives the script that
    started it, so the run's metadata comes from here; the bridge reads git for `cwd` after init)."""
    disable_git = settings.disable_git
    if disable_git is None:
        disable_git = (os.environ.get("RUNLOG_DISABLE_GIT") or os.environ.get("WANDB_DISABLE_GIT") or "").lower() in ("1", "true", "yes")
    return {"lang": "python", "python": platform.python_version(), "host": socket.gethostname(), "pid": os.getpid(),
            "program": os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None, "args": sys.argv[1:], "cwd": os.getcwd(),
            "executable": sys.executable or None, "user": _user(), "os": _os(), "disable_git": bool(disable_git)}


def _tags(tags):
    if tags is None:
        return env.tags()
    # A string is one tag (W&B 0.31 would split it into characters; see the README's differences).
    return (tags,) if isinstance(tags, str) else tuple(str(tag) for tag in tags)


def _config(config, include, exclude):
    values = config_values(config)
    if include:
        values = {k: v for k, v in values.items() if k in include}
    if exclude:
        values = {k: v for k, v in values.items() if k not in exclude}
    return values


def _import_client():
    from . import connection, run  # noqa: F401


def init(entity=None, project=None, dir=None, id=None, name=None, notes=None, tags=None, config=None, config_exclude_keys=None,
         config_include_keys=None, allow_val_change=None, group=None, job_type=None, mode=None, force=None, reinit=None,
         resume=None, resume_from=None, fork_from=None, save_code=None, tensorboard=None, sync_tensorboard=None,
         monitor_gym=None, settings=None, anonymous=None):
    """Starts a run on the bridge (RUNLOG_BRIDGE, or one started from the runlog CLI) and makes it current."""
    settings = as_settings(settings)
    mode = mode or settings.mode or env.get("MODE") or "online"
    if mode not in ("online", "offline", "disabled", "shared", "dryrun", "run"):
        raise UsageError(f'Invalid mode {mode!r}: use "online", "offline" or "disabled"')
    mode = {"dryrun": "offline", "run": "online", "shared": "online"}.get(mode, mode)
    settings.mode = mode
    if reinit not in REINIT:
        raise ValueError(f"reinit must be one of {', '.join(repr(k) for k in REINIT if isinstance(k, str))} or a bool, got {reinit!r}")
    if resume not in RESUME:
        raise ValueError(f"resume must be one of 'allow', 'must', 'never', 'auto' or a bool, got {resume!r}")
    resume = RESUME[resume if resume is not None else (env.get("RESUME") or None)]
    check_branching(resume, resume_from, fork_from, id or env.get("RUN_ID"))
    reinit = REINIT[reinit]
    if state.run is not None:
        if reinit in ("default", "return_previous"):
            return state.run
        if reinit == "finish_previous":
            state.run.finish()
    sweep_trial, swept_keys = env.sweep_trial()
    options = {k: v for k, v in dict(
        project=project or env.get("PROJECT"), entity=entity or env.get("ENTITY"), name=name or env.get("NAME"),
        notes=notes or env.get("NOTES"), tags=list(_tags(tags) or []) or None, group=group or env.get("RUN_GROUP"),
        job_type=job_type or env.get("JOB_TYPE"), config=_config(config, config_include_keys, config_exclude_keys) or None,
        id=id or env.get("RUN_ID"), resume=resume,
        resume_from=resume_from, fork_from=fork_from, allow_val_change=allow_val_change, mode=mode if mode == "offline" else None, sweep=sweep_trial,
    ).items() if v is not None}
    if mode == "disabled":
        from .disabled import disabled_run

        run = disabled_run(options, settings)
    else:
        from .._launcher import bridge_endpoint

        env.export_dir(dir)
        if state.connection is None:
            # A bridge this call starts boots while the client imports ZeroMQ and the Run (~15 ms).
            endpoint = bridge_endpoint(while_starting=_import_client)
            from .connection import Connection

            state.connection = Connection(endpoint)
        from .run import Run
        described = state.connection.request({"t": "init", "options": {**options, "settings": settings.to_bridge(), "client": _client(settings)}},
                                             timeout=float(settings.get("init_timeout", 60)))
        state.connection.register(described["id"], options, described.get("last_seq", 0))
        run = Run(state.connection, described, options, settings)
        run.config._lock(swept_keys, "sweep")
        from . import banner

        if not banner.silenced(settings):
            banner.write(banner.start_lines(run))
    if save_code:
        warnings.warn("runlog: save_code is not captured automatically; call run.log_code()", stacklevel=2)
    state.run = run
    return run
