import { Api, RunlogError } from "@runlog/core";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runlogCallback } from "./index.js";
import { dataset, makeModel, newRoot, newRun, removeRoots, rows } from "./test-support/fixtures.js";

// Callback lists as tfjs users write them, and repeated fits on one run, on real tfjs (CPU backend).
beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(removeRoots);

const epochsOf = async (root: string, path: string) => (await rows(root, path, ["epoch/epoch"])).map((r) => r["epoch/epoch"]);
const stepsOf = async (root: string, path: string) => (await rows(root, path, ["batch/step"])).map((r) => r["batch/step"]);
const count = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe("runlogCallback beside other callbacks", () => {
  it("works before a plain-object callback (tfjs called the plain object's missing setParams)", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const seen: number[] = [];
    const history = await makeModel().fit(xs, ys, {
      epochs: 2,
      batchSize: 16,
      shuffle: false,
      callbacks: [runlogCallback(run, { logFreq: "batch", tf }), { onEpochEnd: async (epoch: number) => void seen.push(epoch) }],
    });
    await run.finish();
    expect(seen).toEqual([0, 1]);
    const epochs = await rows(root, run.path, ["epoch/epoch", "epoch/loss", "epoch/learning_rate"]);
    expect(epochs.map((r) => [r["epoch/epoch"], r["epoch/loss"]])).toEqual((history.history.loss ?? []).map((loss, i) => [i, loss]));
    // Ours is a real tf.Callback here, so tfjs gives it the model: the learning rate and model summary are there.
    expect(epochs.every((r) => r["epoch/learning_rate"] === 0.1)).toBe(true);
    expect(await stepsOf(root, run.path)).toEqual(count(12));
    expect((await new Api({ dir: root }).run(run.path)).config.model).toBeDefined();
  });

  it("works between tfjs's earlyStopping and a plain object, the plain object's hooks all called", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const calls: string[] = [];
    await makeModel().fit(xs, ys, {
      epochs: 1,
      batchSize: 48,
      shuffle: false,
      callbacks: [
        tf.callbacks.earlyStopping({ monitor: "loss" }),
        runlogCallback(run, { logFreq: "batch", tf }),
        {
          onTrainBegin: () => void calls.push("trainBegin"),
          onBatchEnd: (batch: number) => void calls.push(`batch${batch}`),
          onTrainEnd: () => void calls.push("trainEnd"),
        },
      ],
    });
    await run.finish();
    expect(calls).toEqual(["trainBegin", "batch0", "batch1", "trainEnd"]);
    expect(await stepsOf(root, run.path)).toEqual([1, 2]);
  });

  for (const order of ["earlyStopping first", "runlogCallback first"] as const) {
    it(`stops with tfjs's earlyStopping (${order}) and logs exactly the epochs tfjs ran`, async () => {
      const root = newRoot();
      const run = await newRun(root);
      const { xs, ys } = dataset();
      // minDelta 10: only the first epoch counts as an improvement; tfjs stops once `wait` reaches patience 1.
      const stopper = tf.callbacks.earlyStopping({ monitor: "loss", minDelta: 10, patience: 1 });
      const ours = runlogCallback(run, { tf });
      const history = await makeModel().fit(xs, ys, {
        epochs: 10,
        batchSize: 32,
        shuffle: false,
        callbacks: order === "earlyStopping first" ? [stopper, ours] : [ours, stopper],
      });
      await run.finish();
      expect(history.epoch).toEqual([0, 1]);
      const epochs = await rows(root, run.path, ["epoch/epoch", "epoch/loss"]);
      expect(epochs.map((r) => r["epoch/epoch"])).toEqual(history.epoch);
      expect(epochs.map((r) => r["epoch/loss"])).toEqual(history.history.loss);
    });
  }
});

describe("repeated fits on one run", () => {
  it("keeps epoch/epoch and batch/step counting over fit() calls, with one callback or a new one per fit", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const model = makeModel();
    const reused = runlogCallback(run, { logFreq: "batch", tf });
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, callbacks: [reused] });
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, shuffle: false, callbacks: [reused] });
    await model.fit(xs, ys, { epochs: 1, batchSize: 32, shuffle: false, callbacks: [runlogCallback(run, { logFreq: "batch", tf })] });
    await run.finish();
    expect(await epochsOf(root, run.path)).toEqual([0, 1, 2, 3, 4]);
    expect(await stepsOf(root, run.path)).toEqual(count(15)); // 3 batches × 5 epochs
    expect((await new Api({ dir: root }).run(run.path)).config.fit).toMatchObject({ epochOffset: 4 });
  });

  it("does not shift a fit whose initialEpoch already continues the run; epochOffset sets the offset", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const model = makeModel();
    await model.fit(xs, ys, { epochs: 2, batchSize: 96, callbacks: [runlogCallback(run, { tf })] });
    await model.fit(xs, ys, { epochs: 4, initialEpoch: 2, batchSize: 96, callbacks: [runlogCallback(run, { tf })] });
    await model.fit(xs, ys, { epochs: 1, batchSize: 96, callbacks: [runlogCallback(run, { tf, epochOffset: 10 })] });
    await run.finish();
    expect(await epochsOf(root, run.path)).toEqual([0, 1, 2, 3, 10]);
    for (const epochOffset of [-1, 0.5, "1"])
      expect(() => runlogCallback(run, { tf, epochOffset: epochOffset as never })).toThrow(RunlogError);
  });

  it("continues over repeated fitDataset calls, logging tfjs's History and every batch, beside a plain callback", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const model = makeModel();
    const data = tf.data.zip({ xs: tf.data.array(xs.unstack()), ys: tf.data.array(ys.unstack()) }).batch(32);
    const seen: number[] = [];
    const plain = { onEpochEnd: (epoch: number) => void seen.push(epoch) };
    const first = await model.fitDataset(data, { epochs: 2, callbacks: [runlogCallback(run, { logFreq: "batch", tf }), plain] });
    const second = await model.fitDataset(data, { epochs: 1, callbacks: [plain, runlogCallback(run, { logFreq: "batch", tf })] });
    await run.finish();
    expect(seen).toEqual([0, 1, 0]);
    const epochs = await rows(root, run.path, ["epoch/epoch", "epoch/loss", "epoch/acc"]);
    expect(epochs.map((r) => r["epoch/epoch"])).toEqual([0, 1, 2]);
    expect(epochs.map((r) => r["epoch/loss"])).toEqual([...(first.history.loss ?? []), ...(second.history.loss ?? [])]);
    expect(epochs.map((r) => r["epoch/acc"])).toEqual([...(first.history.acc ?? []), ...(second.history.acc ?? [])]);
    expect(await stepsOf(root, run.path)).toEqual(count(9)); // 96 samples / 32 → 3 batches × 3 epochs
    expect((await new Api({ dir: root }).run(run.path)).config.fit).toMatchObject({ epochs: 1, steps: 3, epochOffset: 2 });
  });
});
