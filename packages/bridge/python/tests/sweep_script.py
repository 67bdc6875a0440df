"""runlog.sweep / runlog.agent with W&B's signatures through a real bridge: a grid sweep, a random
sweep run by two agents with count, a hyperband sweep whose bad trial is stopped, and W&B's errors.
Prints one JSON line of what the trials saw."""
import json
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import runlog as wandb

seen = {"grid": [], "random": [], "hyperband": [], "errors": {}}

grid_id = wandb.sweep({"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
                       "parameters": {"a": {"values": [1, 2, 3]}, "b": {"values": ["x", "y"]}}}, project="tune")


def grid_trial():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = wandb.init(config={"a": 100, "other": "kept"})
        run.config.update({"a": 999})  # swept: ignored with W&B's warning
    seen["grid"].append({"id": run.id, "sweep_id": run.sweep_id, "env_run_id": os.environ.get("WANDB_RUN_ID"),
                         "config": dict(run.config), "warned": [str(w.message) for w in caught if "locked" in str(w.message)]})
    run.log({"loss": run.config.a})


wandb.agent(grid_id, function=grid_trial)
seen["grid_id"] = grid_id
seen["env_after"] = os.environ.get("RUNLOG_SWEEP_ID")

random_id = wandb.sweep(lambda: {"method": "random", "parameters": {"lr": {"min": 0.001, "max": 0.1}, "opt": {"values": ["adam", "sgd"]}}},
                        project="tune")


def random_trial():
    run = wandb.init()
    seen["random"].append({"id": run.id, "config": dict(run.config), "sweep_id": run.sweep_id})
    run.log({"loss": run.config.lr})


wandb.agent(random_id, function=random_trial, count=2)
wandb.agent(random_id, function=random_trial, count=2)
seen["random_id"] = random_id

hyperband_id = wandb.sweep({"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
                            "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
                            "parameters": {"quality": {"values": ["good", "fine", "bad"]}}}, project="tune")


def hyperband_trial():
    run = wandb.init()
    quality = run.config.quality
    logged = 0
    try:
        # Hyperband compares trials at the bands (2, 4, 8, … logged values) others reached: the good
        # ones reach band 256, so the bad one is compared (and stopped) at every band up to there.
        for step in range(300 if quality != "bad" else 600):
            run.log({"loss": 0.1 if quality != "bad" else 5.0})
            logged += 1
            if quality == "bad":
                time.sleep(0.1)  # a slow training step, so the agent can stop it midway
    finally:
        seen["hyperband"].append({"id": run.id, "quality": quality, "logged": logged})


wandb.agent(hyperband_id, function=hyperband_trial)
seen["hyperband_id"] = hyperband_id


def error(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as caught:  # the class (and code) is what the test checks
        return [type(caught).__name__, getattr(caught, "code", None)]
    return None


seen["errors"] = {
    "not_callable": error(wandb.agent, grid_id, function=3),
    "bad_config": error(wandb.sweep, {"method": "annealing", "parameters": {}}),
    "not_a_dict": error(wandb.sweep, ["grid"]),
    "unknown_sweep": error(wandb.agent, "nosuch99", function=grid_trial),
    "bad_failures": error(wandb.agent, grid_id, function=grid_trial, max_consecutive_failed_runs=0),
}
print(json.dumps(seen), flush=True)
