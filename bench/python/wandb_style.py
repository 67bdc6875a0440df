"""A W&B-style script: init, N log calls of 10 scalars, finish. argv: calls, and "baseline" to run
the same loop without logging (building the rows is the floor). Prints JSON of the phases in seconds."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bridge", "python"))
import runlog as wandb

calls = int(sys.argv[1])
baseline = len(sys.argv) > 2 and sys.argv[2] == "baseline"
t0 = time.perf_counter()
run = None if baseline else wandb.init(project="bench", config={"lr": 0.01, "calls": calls})
t1 = time.perf_counter()
for i in range(calls):
    row = {f"m{k}": i * 0.5 + k for k in range(10)}
    if not baseline:
        wandb.log(row)
t2 = time.perf_counter()
if run is not None:
    run.finish()
t3 = time.perf_counter()
print(json.dumps({"init": t1 - t0, "loop": t2 - t1, "finish": t3 - t2, "total": t3 - t0}))
