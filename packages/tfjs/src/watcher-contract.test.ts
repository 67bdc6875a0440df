import { describeModelWatcherContract } from "@runlog/core/testing";
import * as tf from "@tensorflow/tfjs";
import { layersModelWatcher } from "./watcher.js";

// A real compiled LayersModel; one step is one fit() batch, so one optimizer update.
const xs = tf.tensor2d([
  [0, 1, 0.5, 0.2],
  [1, 0, 0.1, 0.9],
]);
const ys = tf.tensor2d([
  [1, 0],
  [0, 1],
]);

function compiledModel(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 3, inputShape: [4], activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 2, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy" });
  return model;
}

describeModelWatcherContract(layersModelWatcher, {
  model: async () => compiledModel(),
  step: async (model) => {
    await (model as tf.LayersModel).fit(xs, ys, { epochs: 1, batchSize: 2, verbose: 0 });
  },
  hookedObjects: (model) => [model as object, (model as tf.LayersModel).optimizer],
  packageName: "@runlog/tfjs",
  logsPerStep: true,
  foreign: ["model.onnx", { weights: [] }, tf.tensor1d([1, 2])],
});
