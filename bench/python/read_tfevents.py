"""TensorBoard's own readers over a log dir (argv[1]): EventAccumulator (what TensorBoard's scalar
dashboard loads; every scalar kept) and the raw event file loader. Prints seconds, CPU seconds
and scalars read as JSON; the interpreter's start and imports are not timed."""

import glob
import json
import sys
import time

from tensorboard.backend.event_processing import event_file_loader
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

logdir = sys.argv[1]
out = {}

files = sorted(glob.glob(f"{logdir}/**/events.out.tfevents.*", recursive=True))
started = time.perf_counter()
cpu = time.process_time()
count = 0
# One accumulator per run folder, as TensorBoard's multiplexer makes them.
for run_dir in sorted({path.rsplit("/", 1)[0] for path in files}):
    accumulator = EventAccumulator(run_dir, size_guidance={"scalars": 0, "tensors": 0})
    accumulator.Reload()
    count += sum(len(accumulator.Scalars(tag)) for tag in accumulator.Tags()["scalars"])
out["accumulator"] = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "points": count}

started = time.perf_counter()
cpu = time.process_time()
count = 0
for path in files:
    for event in event_file_loader.LegacyEventFileLoader(path).Load():
        if event.HasField("summary"):
            count += len(event.summary.value)
out["loader"] = {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "points": count}
print(json.dumps(out))
