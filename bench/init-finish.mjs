// init() to first log on a fresh root in a fresh process (issue 23: ≤ 20 ms, import reported apart), and
// finish() with 1 M pending points, and right after a 2 M-point loop (issue 23: ≤ 100 ms).
import { spawnSync } from "node:child_process";
import { init } from "@runlog/core";
import { cleanup, median, QUIET, report, row, tempDir } from "./util.mjs";

// A fresh process each time: module loading and the worker's start are part of what users wait for.
const cold = [];
for (let i = 0; i < 9; i++) {
  const dir = tempDir("cold");
  const script = `const t0 = performance.now(); const { init } = await import("@runlog/core");
    const t1 = performance.now(); const run = await init({ dir: ${JSON.stringify(dir)}, settings: ${JSON.stringify(QUIET)} });
    run.log({ a: 1 }); const t2 = performance.now(); await run.finish();
    console.log(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1 }));`;
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: new URL(".", import.meta.url).pathname,
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(out.stderr);
  cold.push(JSON.parse(out.stdout.trim().split("\n").pop()));
  cleanup(dir);
}
const warm = [];
for (let i = 0; i < 10; i++) {
  const dir = tempDir("warm");
  const t0 = performance.now();
  const run = await init({ dir, settings: QUIET, reinit: "create_new" });
  run.log({ a: 1 });
  warm.push(performance.now() - t0);
  await run.finish();
  cleanup(dir);
}
const coldInit = median(cold.map((c) => c.initMs));
console.log(
  `init → first log: fresh process ${coldInit.toFixed(1)} ms (import ${median(cold.map((c) => c.importMs)).toFixed(1)} ms more), warm ${median(warm).toFixed(1)} ms; W&B 0.17.9 offline measured here: 1,700–2,100 ms`,
);
report("init() to first log (fresh root, fresh process)", coldInit.toFixed(1), "ms", "≤ 20 ms", coldInit <= 20);

const finishes = [];
for (let i = 0; i < 3; i++) {
  const dir = tempDir("finish");
  const run = await init({ dir, settings: QUIET, reinit: "create_new" });
  for (let s = 0; s < 100_000; s++) run.log(row(s)); // 1 M points, no chance to flush in between
  const t0 = performance.now();
  await run.finish();
  finishes.push(performance.now() - t0);
  cleanup(dir);
}
const finishMs = median(finishes);
console.log(`finish() with 1 M pending points: ${finishMs.toFixed(0)} ms (median of 3); W&B 0.17.9 offline, 200 k points: 8,100–8,800 ms`);
report("finish() with 1 M pending points", finishMs.toFixed(0), "ms", "≤ 1000 ms", finishMs <= 1000);

// A training loop that never yields, 200 k rows of 10 scalars, then finish(): what is left for finish()
// is what the store worker had not applied yet, plus the transaction log's last fsync.
const afterLoop = [];
for (let i = 0; i < 5; i++) {
  const dir = tempDir("loop");
  const run = await init({ dir, settings: QUIET, reinit: "create_new" });
  for (let s = 0; s < 200_000; s++) run.log(row(s));
  const t0 = performance.now();
  await run.finish();
  afterLoop.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 500)); // the worker's close-time checkpoint, outside the next run
  cleanup(dir);
}
const afterLoopMs = median(afterLoop);
console.log(`finish() after a 2 M-point loop: ${afterLoopMs.toFixed(0)} ms (median of 5)`);
report("finish() after a 2 M-point loop", afterLoopMs.toFixed(0), "ms", "≤ 100 ms", afterLoopMs <= 100);
