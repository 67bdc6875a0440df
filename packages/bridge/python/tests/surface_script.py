"""W&B members beyond the oracle corpus, through a real bridge. argv: mode (surface | exit3).
Prints one JSON line of what it saw."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import runlog as wandb

if sys.argv[1] == "exit3":
    run = wandb.init(project="surface")
    run.log({"a": 1})
    print(json.dumps({"path": run.path}), flush=True)
    sys.exit(3)  # W&B: the run ends failed with exit code 3

# WANDB_* variables are aliases of RUNLOG_* (the test sets WANDB_NAME, WANDB_TAGS, WANDB_RUN_GROUP, WANDB_JOB_TYPE, WANDB_NOTES).
run = wandb.init(project="surface")
seen = {"name": run.name, "tags": list(run.tags), "group": run.group, "job_type": run.job_type, "notes": run.notes,
        "watch_is_callable": callable(wandb.watch), "same": wandb.init() is run}
run.log({"loss": 1.0})
run.log({"loss": 0.5})
# A value the bridge refuses (a hand-made tagged map) is raised at the next call, not dropped.
run.log({"odd": {"__runlog__": "not-a-type"}})
try:
    run.status()
    seen["rejected"] = None
except wandb.Error as error:
    seen["rejected"] = error.code
run.mark_preempting()
seen["state"] = run.status().state
with open("notes.txt", "w") as f:
    f.write("kept")
seen["saved"] = run.save("notes.txt", policy="now")
restored = run.restore("notes.txt", root=os.path.abspath("restored"))
seen["restored"] = restored.read()
restored.close()
try:
    run.save("notes.txt", policy="sometimes")
except ValueError:
    seen["bad_policy"] = "ValueError"
path = run.path
run.finish()
try:
    run.log({"late": 1})
except wandb.Error as error:
    seen["after_finish"] = [type(error).__name__, error.code]
api = wandb.Api()
stored = api.run(path)
frame = stored.history()
seen["history_columns"] = sorted(c for c in frame.columns if not c.startswith("_"))
seen["scan"] = [row["loss"] for row in stored.scan_history(keys=["loss"])]
seen["runs"] = [r.name for r in api.runs(f"{stored.entity}/surface")]
seen["state_after"] = stored.state
print(json.dumps(seen), flush=True)
