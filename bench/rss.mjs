// RSS growth while logging 10 M points (1 M calls × 10 scalars) through the full pipeline.
import { init } from "@runlog/core";
import { cleanup, QUIET, report, row, tempDir } from "./util.mjs";

const dir = tempDir("rss");
const run = await init({ dir, project: "bench", settings: QUIET });
for (let i = 0; i < 20_000; i++) run.log(row(i)); // warm up allocations and the worker
await new Promise((r) => setTimeout(r, 300));
globalThis.gc?.();
const before = process.memoryUsage.rss();
let peak = before;
for (let i = 0; i < 1_000_000; i++) {
  run.log(row(i));
  if (i % 20_000 === 0) {
    await new Promise((r) => setImmediate(r));
    peak = Math.max(peak, process.memoryUsage.rss());
  }
}
await run.finish();
globalThis.gc?.();
const after = process.memoryUsage.rss();
cleanup(dir);
const growth = (Math.max(peak, after) - before) / 1024 / 1024;
console.log(
  `RSS while logging 10 M points: before ${(before / 2 ** 20).toFixed(0)} MB, peak ${(peak / 2 ** 20).toFixed(0)} MB, after ${(after / 2 ** 20).toFixed(0)} MB`,
);
report("RSS growth logging 10 M points", growth.toFixed(1), "MB", "≤ 50 MB", growth <= 50);
