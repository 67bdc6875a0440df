"""Runs the oracle corpus under one implementation and writes what each case produced.

    python runner.py wandb OUT.json     # the real wandb, WANDB_MODE=offline, read back from its .wandb files
    python runner.py runlog OUT.json    # runlog through RUNLOG_BRIDGE, read back with runlog.Api()

Each case is either a JSON sequence (cases.json, the shared form; see README.md) or a Python
function (py_cases.py) for what JSON cannot carry (media, argparse, artifacts). Both get a
`Context` that records observations and the exception (class name) each step raised."""
import json
import math
import os
import sys
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "oracle"


class Context:
    def __init__(self, wandb, impl, workdir):
        self.wandb, self.impl, self.workdir = wandb, impl, workdir
        self.outcomes = []
        self.runs = []  # (run, where to read it back)

    def init(self, **kwargs):
        kwargs.setdefault("project", PROJECT)
        if self.impl == "wandb":
            kwargs.setdefault("dir", self.workdir)
        run = self.wandb.init(**kwargs)
        if all(run is not seen for seen, _ in self.runs):
            self.runs.append((run, run.settings.sync_file if self.impl == "wandb" else run.path))
        return run

    def attempt(self, fn, *args, **kwargs):
        """Calls fn; records None or the raised exception's class name (and goes on)."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = fn(*args, **kwargs)
            self.outcomes.append(None)
            return result
        except Exception as error:  # the class name is the observation
            self.outcomes.append(type(error).__name__)
            return None

    def check(self, label, value):
        self.outcomes.append([label, plain(value)])


def plain(value):
    """Summaries and configs of both implementations as JSON values (W&B's SummarySubDict → dict)."""
    if hasattr(value, "keys") and not isinstance(value, dict):
        value = {k: value[k] for k in value.keys()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    to_json = getattr(value, "_to_json", None) or getattr(value, "to_json", None)
    return {"_object": type(value).__name__} if to_json is None else {"_object": type(value).__name__}


def run_ops(ctx, ops):
    """The JSON form: each op is [name, *args] (README.md lists them)."""
    run = None
    for op in ops:
        name, args = op[0], op[1:]
        if name == "init":
            first = run
            run = ctx.attempt(ctx.init, **(args[0] if args else {})) or run
            if first is not None:
                ctx.check("same_run", run is first)
        elif name == "log":
            ctx.attempt(run.log, args[0], **(args[1] if len(args) > 1 else {}))
        elif name == "define_metric":
            ctx.attempt(run.define_metric, args[0], **(args[1] if len(args) > 1 else {}))
        elif name == "config.update":
            ctx.attempt(run.config.update, args[0], **(args[1] if len(args) > 1 else {}))
        elif name == "config.set":
            ctx.attempt(run.config.__setitem__, args[0], args[1])
        elif name == "config.setattr":
            ctx.attempt(setattr, run.config, args[0], args[1])
        elif name == "config.setdefaults":
            ctx.attempt(run.config.setdefaults, args[0])
        elif name == "summary.set":
            ctx.attempt(run.summary.__setitem__, args[0], args[1])
        elif name == "summary.update":
            ctx.attempt(run.summary.update, args[0])
        elif name == "summary.del":
            ctx.attempt(run.summary.__delitem__, args[0])
        elif name == "alert":
            ctx.attempt(run.alert, **args[0])
        elif name == "set":
            ctx.attempt(setattr, run, args[0], args[1])
        elif name == "check":
            what = args[0]
            if what == "summary":
                ctx.check("summary", run.summary)
            elif what == "config":
                ctx.check("config", run.config)
            else:
                ctx.check(what, getattr(run, what))
        elif name == "finish":
            ctx.attempt(run.finish, **(args[0] if args else {}))
        else:
            raise ValueError(f"unknown op {name!r}")


def read_back(impl, where):
    if impl == "wandb":
        from wandb_reader import read_run

        return read_run(where)
    import runlog

    stored = runlog.Api().run(where)
    return {"history": list(stored.scan_history()), "summary": stored.summary, "config": stored.config,
            "exit_code": stored._described.get("exit_code")}


def main():
    impl, out = sys.argv[1], sys.argv[2]
    only = sys.argv[3:]
    sys.path.insert(0, HERE)
    if impl == "wandb":
        os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_CONSOLE="off", WANDB_DISABLE_GIT="true")
        import wandb
    else:
        sys.path.insert(0, os.path.join(HERE, "..", ".."))
        import runlog as wandb
    import py_cases

    with open(os.path.join(HERE, "cases.json"), encoding="utf-8") as f:
        cases = [(case["name"], case["ops"]) for case in json.load(f)["cases"]]
    cases += [(name, fn) for name, fn in py_cases.CASES.items()]
    results = {}
    for name, body in cases:
        if only and name not in only:
            continue
        workdir = tempfile.mkdtemp(prefix=f"oracle-{impl}-")
        cwd = os.getcwd()
        os.chdir(workdir)
        ctx = Context(wandb, impl, workdir)
        try:
            run_ops(ctx, body) if isinstance(body, list) else body(ctx)
        finally:
            if wandb.run is not None:
                wandb.run.finish()
            os.chdir(cwd)
        results[name] = {"outcomes": ctx.outcomes, "runs": [where for _, where in ctx.runs]}
    if impl == "wandb":
        wandb.teardown()  # wandb-core writes the .wandb files asynchronously: read them once it has exited
    for result in results.values():
        result["runs"] = [read_back(impl, where) for where in result["runs"]]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(results, f, default=repr, allow_nan=True)


if __name__ == "__main__":
    main()
