import { execFileSync } from "node:child_process";

/**
 * `numpy.histogram(values, bins=numBins)` from Python (Debian's /usr/bin/python3 has numpy): the
 * reference W&B's watch histograms come from, independent of runlog's Histogram. Same helper as
 * core's test-support/numpy.ts (core's test support is not part of its package).
 */
export function numpyHistogram(values: ArrayLike<number>, numBins: number): { values: number[]; bins: number[] } {
  const script = `
import json, sys
import numpy as np
data = json.loads(sys.stdin.read())
a = np.array(data["values"], dtype=np.float64)
counts, edges = np.histogram(a[np.isfinite(a)], bins=data["bins"])
print(json.dumps({"values": [int(c) for c in counts], "bins": [float(e) for e in edges]}))`;
  const finite = Array.from(values).filter((v) => Number.isFinite(v));
  return JSON.parse(
    execFileSync(process.env.PYTHON ?? "/usr/bin/python3", ["-c", script], {
      input: JSON.stringify({ values: finite, bins: numBins }),
      encoding: "utf8",
    }),
  );
}
