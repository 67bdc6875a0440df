// init() to first log, and finish() with 1 M pending points.
import { spawnSync } from "node:child_process";
import { init } from "@runlog/core";
import { cleanup, median, QUIET, report, row, tempDir } from "./util.mjs";

// A fresh process each time: module loading and the worker's start are part of what users wait for.
const cold = [];
for (let i = 0; i < 5; i++) {
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
report("init() to first log (fresh process)", coldInit.toFixed(1), "ms", "≤ 50 ms", coldInit <= 50);

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
