"""W&B's exit semantics: a run still open when the script ends is finished with the script's exit
code: `sys.exit(n)` gives n (0 finished, else failed), an uncaught exception 1, Ctrl-C 255."""
import atexit
import sys
import weakref

_runs = weakref.WeakSet()
_state = {"code": None, "installed": False}


def code_of(exc):
    if isinstance(exc, SystemExit):
        code = exc.code
        return 0 if code is None else code if isinstance(code, int) else 1
    if isinstance(exc, KeyboardInterrupt):
        return 255
    return 1


def exit_code():
    """The code the script is ending with (0 while it runs)."""
    return _state["code"] or 0


def _install():
    _state["installed"] = True
    original_exit, original_hook = sys.exit, sys.excepthook

    def exit(code=None):
        _state["code"] = code_of(SystemExit(code))
        original_exit(code)

    def excepthook(kind, value, traceback):
        _state["code"] = code_of(value)
        original_hook(kind, value, traceback)

    sys.exit, sys.excepthook = exit, excepthook
    atexit.register(_finish_open_runs)


def track(run):
    if not _state["installed"]:
        _install()
    _runs.add(run)


def _finish_open_runs():
    for run in list(_runs):
        if not run._finished:
            run.finish(exit_code=exit_code())
