// run.log of 10 scalars: per-call latency (p50, p99), against the floor of pushing the same object into an array.
import { init } from "@runlog/core";
import { cleanup, percentile, QUIET, report, row, tempDir } from "./util.mjs";

function timeCalls(n, fn) {
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const data = row(i);
    const t0 = process.hrtime.bigint();
    fn(data);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return samples.sort();
}

const dir = tempDir("latency");
const run = await init({ dir, project: "bench", settings: QUIET });
const calls = 300_000;
const sink = [];
timeCalls(50_000, (d) => run.log(d)); // warm-up
const floor = timeCalls(calls, (d) => sink.push(d));
sink.length = 0;
const samples = [];
// Measure in slices with the event loop turning between them, as a real training loop does.
for (let slice = 0; slice < 10; slice++) {
  samples.push(...timeCalls(calls / 10, (d) => run.log(d)));
  await new Promise((r) => setTimeout(r, 5));
}
samples.sort((a, b) => a - b);
await run.finish();
cleanup(dir);
const p50 = percentile(samples, 50);
const p99 = percentile(samples, 99);
const floor50 = percentile(floor, 50);
console.log(
  `log latency over ${calls} calls: p50 ${p50.toFixed(2)} µs, p99 ${p99.toFixed(2)} µs, p99.9 ${percentile(samples, 99.9).toFixed(1)} µs; floor (array push + timer) p50 ${floor50.toFixed(2)} µs → ${(p50 / floor50).toFixed(1)}× the floor`,
);
report("run.log p50", p50.toFixed(2), "µs", "≤ 2 µs", p50 <= 2);
report("run.log p99", p99.toFixed(2), "µs", "≤ 20 µs", p99 <= 20);
