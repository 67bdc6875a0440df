import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import { numpyHistogram } from "@runlog/test-support/numpy";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layersModelWatcher, loadModel, modelCheckpoint, runlogCallback } from "./index.js";
import { dataset, makeModel, newRoot, newRun, removeRoots, rows } from "./test-support/fixtures.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(removeRoots);

describe("runlogCallback", () => {
  it("logs batch and epoch metrics equal to tfjs's History, with fit params and the model summary in config", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const model = makeModel();
    const history = await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 16,
      validationSplit: 0.25,
      shuffle: false,
      // Mixed with tfjs's own callback, which must not break either way round (tensorflow/tfjs#1792).
      callbacks: [tf.callbacks.earlyStopping({ monitor: "val_loss", patience: 10 }), runlogCallback(run, { logFreq: "batch", tf })],
    });
    await run.finish();
    const epochs = await rows(root, run.path, ["epoch/epoch", "epoch/loss", "epoch/acc", "epoch/val_loss", "epoch/learning_rate"]);
    expect(epochs.map((r) => r["epoch/epoch"])).toEqual([0, 1, 2]);
    expect(epochs.map((r) => r["epoch/loss"])).toEqual(history.history.loss);
    expect(epochs.map((r) => r["epoch/val_loss"])).toEqual(history.history.val_loss);
    expect(epochs.every((r) => r["epoch/learning_rate"] === 0.1)).toBe(true);
    const batches = await rows(root, run.path, ["batch/step", "batch/loss"]);
    expect(batches.map((r) => r["batch/step"])).toEqual(Array.from({ length: 15 }, (_, i) => i + 1)); // 72 samples / 16 → 5 batches × 3
    const stored = await new Api({ dir: root }).run(run.path);
    expect(stored.config.fit).toMatchObject({ epochs: 3, batchSize: 16, samples: 72, validation: true });
    expect((stored.config.model as { totalParams: number }).totalParams).toBe(model.countParams());
    expect(stored.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(["batch/*", "epoch/*"]));
  });

  it("works first in the callbacks array too, and logs every N batches", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    await makeModel().fit(xs, ys, {
      epochs: 1,
      batchSize: 16,
      shuffle: false,
      callbacks: [runlogCallback(run, { logFreq: 2, tf }), tf.callbacks.earlyStopping({ monitor: "loss" })],
    });
    await run.finish();
    expect((await rows(root, run.path, ["batch/step"])).map((r) => r["batch/step"])).toEqual([1, 3, 5]); // batches 0, 2, 4 of 6
  });

  it("works after a plain-object callback (tfjs then wraps every entry in a CustomCallback; this recursed until the heap ran out)", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const seen: number[] = [];
    const history = await makeModel().fit(xs, ys, {
      epochs: 2,
      batchSize: 16,
      shuffle: false,
      callbacks: [{ onEpochEnd: async (epoch: number) => void seen.push(epoch) }, runlogCallback(run, { logFreq: "batch", tf })],
    });
    await run.finish();
    expect(seen).toEqual([0, 1]);
    // tfjs gives wrapped callbacks no model (BaseCallback.setModel is a no-op), so no learning rate here.
    const epochs = await rows(root, run.path, ["epoch/epoch", "epoch/loss"]);
    expect(epochs.map((r) => [r["epoch/epoch"], r["epoch/loss"]])).toEqual(
      (history.history.loss ?? []).map((loss, epoch) => [epoch, loss]),
    );
    expect((await rows(root, run.path, ["batch/step"])).map((r) => r["batch/step"])).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await new Api({ dir: root }).run(run.path)).config.fit).toMatchObject({ epochs: 2, batchSize: 16, samples: 96 });
  });

  it("refuses bad options clearly", async () => {
    const run = await newRun(newRoot());
    for (const logFreq of [0, -1, 1.5, "weekly"]) expect(() => runlogCallback(run, { logFreq: logFreq as never, tf })).toThrow(RunlogError);
    expect(() => modelCheckpoint(run, { mode: "sideways" as never, tf })).toThrowError(/mode/);
    expect(() => modelCheckpoint(run, { saveFreq: 0, tf })).toThrowError(/saveFreq/);
    const uncompiled = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    expect(() => run.watch(uncompiled)).toThrowError(/compile/);
    await run.finish();
  });
});

describe("run.watch for LayersModel", () => {
  it("logs parameter histograms equal to the weights and gradient histograms, keyed by originalName", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const model = makeModel();
    run.watch(model, { log: "all", logFreq: 1 });
    await model.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: false, callbacks: [runlogCallback(run, { logFreq: "batch", tf })] });
    const kernel = model.weights[0] as unknown as { originalName: string; read(): tf.Tensor };
    // numpy, not runlog's own Histogram, is the oracle: W&B's watch bins with np.histogram.
    const expected = { _type: "histogram", ...numpyHistogram(kernel.read().dataSync(), 64) };
    run.unwatch(model);
    await run.finish();
    const history = await rows(root, run.path, [`parameters/${kernel.originalName}`, `gradients/${kernel.originalName}`]);
    expect(history).toHaveLength(3); // 3 batches of 32
    expect(history[2]?.[`parameters/${kernel.originalName}`]).toEqual(expected);
    const gradient = history[0]?.[`gradients/${kernel.originalName}`] as { values: number[]; bins: number[] };
    expect(gradient.values.reduce((a, b) => a + b, 0)).toBe(4 * 8);
    // 64 bins over [min, max] of the gradient: the edges are numpy's linspace of those two ends.
    const ends = [gradient.bins[0] as number, gradient.bins[64] as number];
    expect(numpyHistogram(ends, 64).bins).toEqual(gradient.bins);
  });

  it("unwatch restores the optimizer exactly: training stays bit-identical to an unwatched model", async () => {
    const run = await newRun(newRoot());
    const { xs, ys } = dataset();
    const watched = makeModel(11);
    const plain = makeModel(11);
    const optimizer = watched.optimizer as unknown as Record<string, unknown>;
    run.watch(watched, { log: "all", logFreq: 2 });
    expect(Object.hasOwn(optimizer, "applyGradients")).toBe(true);
    await watched.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false });
    run.unwatch(watched);
    expect(Object.hasOwn(optimizer, "applyGradients")).toBe(false);
    await watched.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false });
    await plain.fit(xs, ys, { epochs: 2, batchSize: 16, shuffle: false });
    const a = watched.getWeights().map((w) => Array.from(w.dataSync()));
    const b = plain.getWeights().map((w) => Array.from(w.dataSync()));
    expect(a).toEqual(b);
    await run.finish();
  });

  it("captures gradients in a custom optimizer.minimize loop (the map form)", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const model = makeModel();
    run.watch(model, { log: "gradients", logFreq: 1 });
    const optimizer = model.optimizer;
    for (let step = 0; step < 2; step++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.predict(xs) as tf.Tensor) as tf.Scalar);
      run.log({ step });
    }
    run.unwatch();
    await run.finish();
    const name = (model.weights[2] as unknown as { originalName: string }).originalName;
    const history = await rows(root, run.path, [`gradients/${name}`]);
    expect(history).toHaveLength(2);
    expect(layersModelWatcher.claims(model)).toBe(true);
  });
});

describe("modelCheckpoint and loadModel", () => {
  it("logs model artifacts with latest/epoch_N/best and restores identical predictions", async () => {
    const root = newRoot();
    process.env.RUNLOG_ARTIFACT_DIR = join(root, "downloads"); // keep useModel's download out of the package folder
    const run = await newRun(root).finally(() => delete process.env.RUNLOG_ARTIFACT_DIR);
    const { xs, ys } = dataset();
    const model = makeModel();
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 16,
      validationSplit: 0.25,
      shuffle: false,
      callbacks: [modelCheckpoint(run, { name: "mlp", tf })],
    });
    const versions = await new Api({ dir: root }).artifactVersions("tester/tfjs/mlp");
    expect(versions).toHaveLength(3);
    expect(versions.flatMap((v) => [...v.aliases])).toEqual(expect.arrayContaining(["latest", "epoch_2", "best"]));
    expect(Object.keys(versions[2]?.manifest.contents ?? {}).sort()).toEqual(["model.json", "weights.bin"]);
    const restored = await loadModel(await run.useModel("mlp:latest"), { tf });
    const before = Array.from((model.predict(xs) as tf.Tensor).dataSync());
    const after = Array.from((restored.predict(xs) as tf.Tensor).dataSync());
    expect(after).toEqual(before);
    await expect(loadModel(join(root, "nothing"), { tf })).rejects.toThrowError(/model.json/);
    await run.finish();
  });
});

describe("backends and fitDataset", () => {
  it("logs fitDataset epochs and batches, and watches on the wasm backend", async () => {
    await import("@tensorflow/tfjs-backend-wasm");
    await tf.setBackend("wasm");
    try {
      const root = newRoot();
      const run = await newRun(root);
      const { xs, ys } = dataset();
      const model = makeModel();
      run.watch(model, { log: "parameters", logFreq: 3 });
      const data = tf.data.zip({ xs: tf.data.array(xs.unstack()), ys: tf.data.array(ys.unstack()) }).batch(32);
      const history = await model.fitDataset(data, { epochs: 2, callbacks: [runlogCallback(run, { logFreq: "batch", tf })] });
      await run.finish();
      const epochs = await rows(root, run.path, ["epoch/loss"]);
      expect(epochs.map((r) => r["epoch/loss"])).toEqual(history.history.loss);
      expect((await rows(root, run.path, ["batch/step"])).map((r) => r["batch/step"])).toEqual([1, 2, 3, 4, 5, 6]);
      const name = (model.weights[0] as unknown as { originalName: string }).originalName;
      expect(await rows(root, run.path, [`parameters/${name}`])).toHaveLength(2); // every 3rd of 6 steps
      const stored = await new Api({ dir: root }).run(run.path);
      expect(stored.config.fit).toMatchObject({ epochs: 2, steps: 3 });
    } finally {
      await tf.setBackend("cpu");
    }
  });
});
