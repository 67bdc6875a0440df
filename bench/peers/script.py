"""One W&B-style script, the tracker chosen by an argument: init, N log calls of 10 scalars, finish.

argv: tracker calls dir. The tracker is one of the names in TRACKERS (or "baseline": the same loop
building the same rows without logging); dir is an empty folder the tracker writes its run into.
Prints one JSON line: import, init, loop, finish and total (init + loop + finish) in seconds.
Every adapter below uses the tracker's documented defaults; only where the run goes is set."""
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def runlog_tracker(dir):
    sys.path.insert(0, os.path.join(HERE, "..", "..", "packages", "bridge", "python"))
    import runlog as wandb

    # RUNLOG_DIR, RUNLOG_CLI and the bridge's runtime folder come from the driver.
    def init(project, config):
        return wandb.init(project=project, config=config)

    return init, lambda run, row: run.log(row), lambda run: run.finish()


def wandb_tracker(dir):
    import wandb

    def init(project, config):
        return wandb.init(project=project, config=config, mode="offline", dir=dir)

    return init, lambda run, row: run.log(row), lambda run: run.finish()


def mlflow_tracker(uri):
    def make(dir):
        import mlflow

        def init(project, config):
            mlflow.set_tracking_uri(uri(dir))
            mlflow.set_experiment(project)
            run = mlflow.start_run()
            mlflow.log_params(config)
            return run

        # W&B's implicit step is an explicit argument here: the call's index.
        state = {"step": 0}

        def log(run, row):
            mlflow.log_metrics(row, step=state["step"])
            state["step"] += 1

        return init, log, lambda run: mlflow.end_run()

    return make


def trackio_tracker(dir):
    import trackio  # TRACKIO_DIR (where its SQLite files go) comes from the driver

    def init(project, config):
        return trackio.init(project=project, config=config)

    return init, lambda run, row: trackio.log(row), lambda run: trackio.finish()


def aim_tracker(dir):
    from aim import Run

    def init(project, config):
        run = Run(repo=dir, experiment=project)
        run["hparams"] = config
        return run

    # A dict with no name tracks each key as its own sequence; the step auto-increments.
    return init, lambda run, row: run.track(row), lambda run: run.close()


TRACKERS = {
    "runlog": runlog_tracker,
    "wandb": wandb_tracker,
    "mlflow-file": mlflow_tracker(lambda dir: "file:" + os.path.join(dir, "mlruns")),
    "mlflow-sqlite": mlflow_tracker(lambda dir: "sqlite:///" + os.path.join(dir, "mlflow.db")),
    "trackio": trackio_tracker,
    "aim": aim_tracker,
}


def main():
    tracker, calls, dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    baseline = tracker == "baseline"
    t = time.perf_counter()
    if not baseline:
        init, log, finish = TRACKERS[tracker](dir)
    t0 = time.perf_counter()
    # The script body: the same for every tracker.
    run = None if baseline else init("bench", {"lr": 0.01, "calls": calls})
    t1 = time.perf_counter()
    for i in range(calls):
        row = {f"m{k}": i * 0.5 + k for k in range(10)}
        if not baseline:
            log(run, row)
    t2 = time.perf_counter()
    if not baseline:
        finish(run)
    t3 = time.perf_counter()
    phases = {"import": t0 - t, "init": t1 - t0, "loop": t2 - t1, "finish": t3 - t2, "total": t3 - t0}
    # The last line of stdout; trackers may print above it.
    sys.stdout.write("\n" + json.dumps(phases) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
