import { execFileSync } from "node:child_process";

/**
 * `numpy.histogram(values, bins=numBins)` computed by Python (Debian's /usr/bin/python3 has numpy),
 * the reference W&B's Histogram uses. Non-finite values are dropped first, as runlog and W&B
 * (`np.histogram` refuses them) both require. Floats cross as JSON, which round-trips doubles exactly.
 */
export function numpyHistogram(values: ArrayLike<number>, numBins: number): { values: number[]; bins: number[] } {
  const script = `
import json, sys
import numpy as np
data = json.loads(sys.stdin.read())
a = np.array(data["values"], dtype=np.float64)
counts, edges = np.histogram(a[np.isfinite(a)], bins=data["bins"])
print(json.dumps({"values": [int(c) for c in counts], "bins": [float(e) for e in edges]}))`;
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  const input = JSON.stringify({
    values: Array.from(values, (v) => (Number.isFinite(v) ? v : null)).filter((v) => v !== null),
    bins: numBins,
  });
  return JSON.parse(execFileSync(python, ["-c", script], { input, encoding: "utf8" }));
}
