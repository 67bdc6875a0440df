"""resume_from / fork_from ("<run id>?_step=<n>") from Python against the store, through a real
bridge. Prints one JSON line: the steps each run starts at and what the store then holds."""
import json
import os
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import runlog as wandb

warnings.simplefilter("ignore")
api = wandb.Api()
seen = {}


def stored(path):
    run = api.run(path)
    return {"rows": [{k: v for k, v in row.items() if not k.startswith("_") or k == "_step"} for row in run.scan_history()],
            "summary": {k: v for k, v in dict(run.summary).items() if not k.startswith("_")}, "config": dict(run.config)}


def refused(**kwargs):
    try:
        wandb.init(project="branching", **kwargs).finish()
    except wandb.Error as error:
        return [type(error).__name__, error.code, isinstance(error, ValueError)]
    return None


source = wandb.init(project="branching", id="source", config={"lr": 0.1})
for i in range(6):
    source.log({"loss": 10 - i, "i": i})
source.finish()

# Rewind: the same run, history kept up to step 3, logging goes on at step 4; config kept and merged.
rewound = wandb.init(project="branching", resume_from="source?_step=3", config={"wd": 0.5})
seen["rewound"] = {"id": rewound.id, "step": rewound.step, "starting_step": rewound.starting_step, "resumed": rewound.resumed}
rewound.log({"loss": 0.5, "i": 100})
seen["rewound"]["step_after_log"] = rewound.step
rewound.finish()
seen["rewound"]["stored"] = stored("branching/source")

# Fork: a new run with the source's rows up to step 2, its own rows from step 3; the source is untouched.
fork = wandb.init(project="branching", fork_from="source?_step=2")
seen["fork"] = {"same_id": fork.id == "source", "step": fork.step, "starting_step": fork.starting_step}
fork.log({"loss": 7.5})
fork.log({"loss": 7.0})
fork.finish()
seen["fork"]["stored"] = stored(fork.path)
seen["source_after_fork"] = [row["_step"] for row in stored("branching/source")["rows"]]

# Malformed values raise W&B's ValueError in the client; the store's own refusals carry the bridge's code.
seen["errors"] = {
    "malformed": refused(resume_from="source"),
    "metric": refused(fork_from="source?epoch=2"),
    "both": refused(resume_from="source?_step=1", fork_from="source?_step=1"),
    "fork_same_id": refused(id="source", fork_from="source?_step=1"),
    "rewind_other_id": refused(id="other", resume_from="source?_step=1"),
    "rewind_missing": refused(resume_from="nothere?_step=1"),
    "fork_missing": refused(fork_from="nothere?_step=1"),
    "rewind_past_end": refused(resume_from="source?_step=99"),
    "fork_fraction": refused(fork_from="source?_step=1.5"),
}
print(json.dumps(seen), flush=True)
