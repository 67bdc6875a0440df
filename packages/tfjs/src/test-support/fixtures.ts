import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, init } from "@runlog/core";
import * as tf from "@tensorflow/tfjs";

// Real tfjs (pure JS, CPU backend) on small deterministic data; the runs go to a real store.
const roots: string[] = [];
export const newRoot = () => {
  const root = mkdtempSync(join(tmpdir(), "runlog-tfjs-"));
  roots.push(root);
  return root;
};
export const removeRoots = () => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
};
const QUIET = { quiet: true, console: "off", disableStats: true } as const;
export const newRun = (root: string) => init({ dir: root, project: "tfjs", entity: "tester", reinit: "create_new", settings: QUIET });

export function dataset() {
  const n = 96;
  const x = Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) / 7, ((i * 13) % 11) / 11]);
  const y = x.map(([a = 0, b = 0]) => (a + b > 0.5 ? 2 : a - b > 0 ? 1 : 0));
  return { xs: tf.tensor2d(x), ys: tf.oneHot(tf.tensor1d(y, "int32"), 3) };
}

export function makeModel(seed = 7) {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [4], activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 3, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

export async function rows(root: string, path: string, keys: string[]) {
  const out: Record<string, unknown>[] = [];
  for await (const row of (await new Api({ dir: root }).run(path)).scanHistory({ keys })) out.push(row);
  return out;
}
