"""runlog.log of 10 scalars through the bridge: calls/s until finish() returns (everything in the
store), and the per-call cost. argv: calls. Prints JSON."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packages", "bridge", "python"))
import runlog

calls = int(sys.argv[1])
run = runlog.init(project="bench", entity="bench")
costs = []
started = time.perf_counter()
for i in range(calls):
    row = {f"m{k}": i * 0.5 + k for k in range(10)}
    if i % 100 == 0:
        t0 = time.perf_counter_ns()
        run.log(row)
        costs.append(time.perf_counter_ns() - t0)
    else:
        run.log(row)
logged = time.perf_counter()
run.finish()
done = time.perf_counter()
costs.sort()
print(json.dumps({"calls": calls, "log_seconds": logged - started, "total_seconds": done - started, "p50_us": costs[len(costs) // 2] / 1000, "path": run.path}))
