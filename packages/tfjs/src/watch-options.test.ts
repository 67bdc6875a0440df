import { Api } from "@runlog/core";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runlogCallback } from "./index.js";
import { allRows, dataset, makeModel, newRoot, newRun, removeRoots } from "./test-support/fixtures.js";

// run.watch's options as the spec defines them (log, logFreq, idx, logGraph), on real tfjs fits.

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(removeRoots);

/** Per committed row, the watch keys it holds with their prefix and kind (`graph_1/gradients`), sorted. */
const watchKeysPerRow = (rows: Record<string, unknown>[]) =>
  rows.map((row) =>
    [
      ...new Set(
        Object.keys(row)
          .filter((key) => /(^|\/)(gradients|parameters)\//.test(key))
          .map((key) => key.replace(/\/[^/]+\/[^/]+$/, "")),
      ),
    ].sort(),
  );

/** Six batches of 16, one committed row per batch (then the epoch's row). */
async function fitSixBatches(run: Awaited<ReturnType<typeof newRun>>, model: tf.Sequential) {
  const { xs, ys } = dataset();
  await model.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, callbacks: [runlogCallback(run, { logFreq: "batch", tf })] });
}

/** The rows the six batches committed; the epoch row after them holds no histograms in every case. */
async function batchRows(root: string, path: string) {
  const rows = await allRows(root, path);
  expect(rows).toHaveLength(7);
  expect(watchKeysPerRow(rows)[6]).toEqual([]);
  return rows.filter((row) => row["batch/step"] !== undefined);
}

describe("watch options on a LayersModel", () => {
  it('log: "gradients" by default, "parameters", "all", and null logs nothing', async () => {
    const cases = [
      [undefined, ["gradients"]],
      ["gradients", ["gradients"]],
      ["parameters", ["parameters"]],
      ["all", ["gradients", "parameters"]],
      [null, []],
    ] as const;
    for (const [log, kinds] of cases) {
      const root = newRoot();
      const run = await newRun(root);
      const model = makeModel();
      run.watch(model, { ...(log === undefined ? {} : { log }), logFreq: 1 });
      await fitSixBatches(run, model);
      await run.finish();
      const rows = await batchRows(root, run.path);
      const perRow = watchKeysPerRow(rows);
      expect(perRow, `log: ${String(log)}`).toEqual(Array.from({ length: 6 }, () => [...kinds]));
      const histograms = Object.keys(rows[0] ?? {}).filter((key) => /^(gradients|parameters)\//.test(key));
      expect(histograms).toHaveLength(4 * kinds.length); // two dense layers × kernel and bias, per kind
    }
  });

  it("logFreq: histograms on every Nth optimizer step only; the default (1000) logs none in six steps", async () => {
    for (const [logFreq, rowsWith] of [
      [3, [2, 5]],
      [2, [1, 3, 5]],
      [undefined, []],
    ] as const) {
      const root = newRoot();
      const run = await newRun(root);
      const model = makeModel();
      run.watch(model, { log: "all", ...(logFreq === undefined ? {} : { logFreq }) });
      await fitSixBatches(run, model);
      await run.finish();
      const perRow = watchKeysPerRow(await batchRows(root, run.path));
      expect(perRow).toHaveLength(6);
      expect(
        perRow.flatMap((keys, row) => (keys.length > 0 ? [row] : [])),
        `logFreq: ${String(logFreq)}`,
      ).toEqual([...rowsWith]);
    }
  });

  it("idx: a list gets graph_0, graph_1 …; an explicit idx prefixes graph_<idx>, and model i of a list gets idx + i", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const [a, b, c, d, e] = [1, 2, 3, 4, 5].map((seed) => makeModel(seed));
    run.watch([a, b], { logFreq: 1 });
    run.watch(c, { logFreq: 1, idx: 7 });
    run.watch([d, e], { logFreq: 1, idx: 3 });
    const { xs, ys } = dataset();
    for (const model of [a, b, c, d, e]) await model?.fit(xs, ys, { epochs: 1, batchSize: 96, shuffle: false });
    run.log({ done: 1 });
    await run.finish();
    const perRow = watchKeysPerRow(await allRows(root, run.path));
    expect(perRow).toEqual([["graph_0/gradients", "graph_1/gradients", "graph_3/gradients", "graph_4/gradients", "graph_7/gradients"]]);
  });

  it("logGraph: the layer graph goes to the summary as graph_<idx>, in W&B's Graph.from_keras form", async () => {
    const root = newRoot();
    const run = await newRun(root);
    const input = tf.input({ shape: [4], name: "features" });
    const left = tf.layers.dense({ units: 3, name: "left" }).apply(input) as tf.SymbolicTensor;
    const right = tf.layers.dense({ units: 2, name: "right" }).apply(input) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ name: "joined" }).apply([left, right]) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 1, name: "out" }).apply(joined) as tf.SymbolicTensor;
    const functional = tf.model({ inputs: input, outputs: output });
    functional.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    run.watch(functional, { logGraph: true, log: null });
    const plain = makeModel();
    run.watch(plain, { idx: 2 }); // no logGraph: no graph_2
    await run.finish();
    const summary = (await new Api({ dir: root }).run(run.path)).summary;
    expect(Object.keys(summary).filter((key) => key.startsWith("graph_"))).toEqual(["graph_0"]);
    const node = (id: string, className: string, shape: unknown[], parameters: number) => ({
      id,
      name: id,
      class_name: className,
      output_shape: shape,
      num_parameters: parameters,
    });
    expect(summary.graph_0).toEqual({
      _type: "graph",
      format: "keras",
      nodes: [
        node("features", "InputLayer", [null, 4], 0),
        node("left", "Dense", [null, 3], 4 * 3 + 3),
        node("right", "Dense", [null, 2], 4 * 2 + 2),
        node("joined", "Concatenate", [null, 5], 0),
        node("out", "Dense", [null, 1], 5 + 1),
      ],
      edges: [
        ["features", "left"],
        ["features", "right"],
        ["left", "joined"],
        ["right", "joined"],
        ["joined", "out"],
      ],
    });
  });
});
