import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, init, type Run } from "@runlog/core";
import * as tf from "@tensorflow/tfjs";

// Small deterministic data and models on real tfjs (CPU backend), runs in a real store.

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
const roots: string[] = [];

export function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "runlog-tfjs-"));
  roots.push(root);
  return root;
}

export function removeRoots(): void {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}

export const newRun = (root: string): Promise<Run> =>
  init({ dir: root, project: "tfjs", entity: "tester", reinit: "create_new", settings: QUIET });

/** 96 samples of 4 features, 3 classes. */
export function dataset() {
  const n = 96;
  const x = Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) / 7, ((i * 13) % 11) / 11]);
  const y = x.map(([a = 0, b = 0]) => (a + b > 0.5 ? 2 : a - b > 0 ? 1 : 0));
  return { xs: tf.tensor2d(x), ys: tf.oneHot(tf.tensor1d(y, "int32"), 3) };
}

/** Dense 4 → 8 → 3 with seeded weights, SGD 0.1, accuracy metric. */
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

/** Every history row of a run (all keys), through the public Api. */
export async function allRows(root: string, path: string): Promise<Record<string, unknown>[]> {
  const api = new Api({ dir: root });
  try {
    const out: Record<string, unknown>[] = [];
    for await (const row of (await api.run(path)).scanHistory()) out.push(row);
    return out;
  } finally {
    api.close();
  }
}

/** The given keys of every history row of a run. */
export async function rows(root: string, path: string, keys: string[]): Promise<Record<string, unknown>[]> {
  const api = new Api({ dir: root });
  try {
    const out: Record<string, unknown>[] = [];
    for await (const row of (await api.run(path)).scanHistory({ keys })) out.push(row);
    return out;
  } finally {
    api.close();
  }
}
