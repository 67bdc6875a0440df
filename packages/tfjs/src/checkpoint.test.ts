import { existsSync } from "node:fs";
import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, type ModelCheckpointOptions, modelCheckpoint } from "./index.js";
import { dataset, makeModel, newRoot, newRun, removeRoots } from "./test-support/fixtures.js";

// modelCheckpoint's monitor/mode/saveBestOnly/saveFreq on real tfjs fits; tfjs's own History is
// the oracle for which epoch was best.

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(removeRoots);

interface Fitted {
  history: Record<string, number[]>;
  /** The model's predictions at the end of each epoch (taken before the checkpoint saved it). */
  predictions: number[][];
  /** Per stored version, in order: its epoch_N alias and whether it holds "best" now. */
  versions: { epoch: number; best: boolean }[];
  root: string;
  run: Awaited<ReturnType<typeof newRun>>;
}

async function fitWithCheckpoint(options: Omit<ModelCheckpointOptions, "tf" | "name">, epochs = 5): Promise<Fitted> {
  const root = newRoot();
  process.env.RUNLOG_ARTIFACT_DIR = join(root, "downloads"); // downloads stay in the temp root
  const run = await newRun(root).finally(() => delete process.env.RUNLOG_ARTIFACT_DIR);
  const { xs, ys } = dataset();
  const model = makeModel();
  const predictions: number[][] = [];
  const recorder = new tf.CustomCallback({
    onEpochEnd: async () => void predictions.push(Array.from((model.predict(xs) as tf.Tensor).dataSync())),
  });
  const fit = await model.fit(xs, ys, {
    epochs,
    batchSize: 16,
    validationSplit: 0.25,
    shuffle: false,
    callbacks: [recorder, modelCheckpoint(run, { ...options, name: "mlp", tf })],
  });
  const stored = await new Api({ dir: root }).artifactVersions("tester/tfjs/mlp");
  const versions = stored.map((v) => ({
    epoch: Number(v.aliases.find((a) => a.startsWith("epoch_"))?.slice("epoch_".length)),
    best: v.aliases.includes("best"),
  }));
  return { history: fit.history as Record<string, number[]>, predictions, versions, root, run };
}

/** The epochs a running best improves on, in tfjs's History (the first always does). */
function improvingEpochs(values: number[], maximize: boolean, epochs: number[] = values.map((_, i) => i)): number[] {
  let best: number | undefined;
  return epochs.filter((epoch) => {
    const value = values[epoch] as number;
    const improved = best === undefined || (maximize ? value > best : value < best);
    if (improved) best = value;
    return improved;
  });
}

const bestOf = (versions: Fitted["versions"]) => versions.filter((v) => v.best).map((v) => v.epoch);

describe("modelCheckpoint options", () => {
  it("defaults: every epoch, monitoring val_loss (min); best sits on the lowest val_loss", async () => {
    const { history, versions, run } = await fitWithCheckpoint({});
    expect(versions.map((v) => v.epoch)).toEqual([0, 1, 2, 3, 4]);
    const improved = improvingEpochs(history.val_loss as number[], false);
    expect(bestOf(versions)).toEqual([improved.at(-1)]);
    await run.finish();
  });

  it("monitor + mode: 'val_acc' with auto or max maximizes, with 'min' minimizes; the best alias follows History", async () => {
    for (const [mode, maximize] of [
      ["auto", true],
      ["max", true],
      ["min", false],
    ] as const) {
      const { history, versions, run } = await fitWithCheckpoint({ monitor: "val_acc", mode, saveBestOnly: true });
      const improved = improvingEpochs(history.val_acc as number[], maximize);
      expect(
        versions.map((v) => v.epoch),
        `mode ${mode}`,
      ).toEqual(improved);
      expect(bestOf(versions), `mode ${mode}`).toEqual([improved.at(-1)]);
      await run.finish();
    }
  });

  it("saveBestOnly: a version only for the epochs whose val_acc improved (a tie is no improvement); without it, every epoch", async () => {
    for (const saveBestOnly of [true, false]) {
      const { history, versions, run } = await fitWithCheckpoint({ monitor: "val_acc", saveBestOnly });
      const improved = improvingEpochs(history.val_acc as number[], true);
      expect(improved.length).toBeLessThan(5); // this data has a tie, so the option makes a difference
      expect(versions.map((v) => v.epoch)).toEqual(saveBestOnly ? improved : [0, 1, 2, 3, 4]);
      expect(bestOf(versions)).toEqual([improved.at(-1)]);
      await run.finish();
    }
  });

  it("saveFreq: every Nth epoch (epoch_1, epoch_3, epoch_5 for 2 of 6), best judged among those", async () => {
    const { history, versions, run } = await fitWithCheckpoint({ saveFreq: 2, monitor: "val_loss" }, 6);
    expect(versions.map((v) => v.epoch)).toEqual([1, 3, 5]);
    expect(bestOf(versions)).toEqual([improvingEpochs(history.val_loss as number[], false, [1, 3, 5]).at(-1)]);
    await run.finish();
  });

  it("a monitor the fit logs do not have fails the fit with INVALID_ARGUMENT naming the keys it has", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const { xs, ys } = dataset();
    const fitting = makeModel().fit(xs, ys, { epochs: 1, batchSize: 32, callbacks: [modelCheckpoint(run, { monitor: "val_f1", tf })] });
    await expect(fitting).rejects.toSatisfy(
      (error: unknown) => RunlogError.isInstance(error) && error.code === "INVALID_ARGUMENT" && /val_f1.*loss/.test(error.message),
    );
    await run.finish();
  });
});

describe("loadModel(artifact)", () => {
  it("takes an Artifact (from useArtifact or the Api), downloads it and predicts exactly as the model did at that epoch", async () => {
    const { versions, predictions, root, run } = await fitWithCheckpoint({ monitor: "val_loss" }, 4);
    const bestEpoch = bestOf(versions)[0] as number;
    const { xs } = dataset();
    const best = await run.useArtifact("mlp:best");
    const fromRun = await loadModel(best, { tf });
    expect(Array.from((fromRun.predict(xs) as tf.Tensor).dataSync())).toEqual(predictions[bestEpoch]);
    process.env.RUNLOG_ARTIFACT_DIR = join(root, "api-downloads"); // read when the Api first downloads
    const fromApi = await new Api({ dir: root })
      .artifact("tester/tfjs/mlp:epoch_0")
      .then((first) => loadModel(first, { tf }))
      .finally(() => delete process.env.RUNLOG_ARTIFACT_DIR);
    expect(existsSync(join(root, "api-downloads", "mlp:v0", "model.json"))).toBe(true);
    expect(Array.from((fromApi.predict(xs) as tf.Tensor).dataSync())).toEqual(predictions[0]);
    expect(predictions[0]).not.toEqual(predictions[3]); // the epochs differ, so the right version was loaded
    await run.finish();
  });
});
