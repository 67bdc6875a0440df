// instrument() overhead per run() call at batch 1 on the MNIST MLP (issue 9: ≤ 2 µs + 1 %),
// against the raw session in the same process, alternating blocks so drift hits both alike.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { init } from "@runlog/core";
import { createSession, instrument, readOnnxFile, syntheticFeeds } from "@runlog/onnx";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const dir = tempDir("onnx");
const made = spawnSync("/usr/bin/python3", [new URL("../packages/onnx/fixtures/make_models.py", import.meta.url).pathname, dir], {
  encoding: "utf8",
});
if (made.status !== 0) throw new Error(`making the model needs python3-onnx: ${made.stderr}`);
const modelPath = join(dir, "mlp.onnx");
const run = await init({ dir, project: "bench", settings: QUIET });
const raw = await createSession(modelPath, { intraOpNumThreads: 1 });
const wrapped = instrument(await createSession(modelPath, { intraOpNumThreads: 1 }), run, { logEvery: 1000 });
const feeds = await syntheticFeeds(readOnnxFile(modelPath).model.inputs, 1);

async function block(session, calls) {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await session.run(feeds);
  return ((performance.now() - started) * 1000) / calls; // µs per call
}

await block(raw, 2000);
await block(wrapped, 2000);
const rawTimes = [];
const wrappedTimes = [];
for (let round = 0; round < 15; round++) {
  rawTimes.push(await block(raw, 3000));
  wrappedTimes.push(await block(wrapped, 3000));
}
await run.finish();
await raw.release();
await wrapped.release();
cleanup(dir);
const base = median(rawTimes);
const overhead = median(wrappedTimes.map((t, i) => t - rawTimes[i]));
const allowed = 2 + 0.01 * base;
console.log(
  `onnx run() at batch 1: raw ${base.toFixed(1)} µs, instrumented ${median(wrappedTimes).toFixed(1)} µs → overhead ${overhead.toFixed(2)} µs per call (${((overhead / base) * 100).toFixed(1)} %)`,
);
report("instrument() overhead per run()", overhead.toFixed(2), "µs", `≤ 2 µs + 1 % = ${allowed.toFixed(2)} µs`, overhead <= allowed);
