import { Histogram, Image, init } from "@runlog/core";
import { QUIET } from "@runlog/test-support/temp-root";

/** Rows of the long run: more than one row group of the exporters' default 10,000. */
export const LONG_RUN_ROWS = 12_000;

/**
 * Project `e/p` with two runs for the exporters:
 * - `long`: 12,000 steps of `loss` (NaN, ±Infinity among them), a sparse `acc` every 100 steps,
 *   a string `note`, nested values (`nested.a` a number, `nested.b` a list holding NaN), a
 *   `mixed` key that is a number at one step and a string at another, a boolean `flag`;
 * - `media`: a histogram and a PNG image per step, config (nested), tags, group, defineMetric summaries.
 */
export async function makeExportProject(root: string): Promise<void> {
  const long = await init({ dir: root, entity: "e", project: "p", id: "long", name: "long one", settings: QUIET });
  for (let step = 0; step < LONG_RUN_ROWS; step++) {
    const loss = step === 3 ? Number.NaN : step === 4 ? Number.POSITIVE_INFINITY : step === 5 ? Number.NEGATIVE_INFINITY : 1 / (step + 1);
    long.log({
      loss,
      ...(step % 100 === 0 ? { acc: step / LONG_RUN_ROWS } : {}),
      ...(step % 1000 === 7 ? { note: `note "${step}", with a comma` } : {}),
      ...(step % 2500 === 1 ? { nested: { a: step, b: [1, Number.NaN, "x"] } } : {}),
      ...(step === 10 ? { mixed: 1.5, flag: true } : {}),
      ...(step === 11 ? { mixed: "one and a half", flag: false } : {}),
    });
  }
  await long.finish();

  const media = await init({
    dir: root,
    entity: "e",
    project: "p",
    id: "media",
    group: "g1",
    tags: ["a", "b"],
    config: { lr: 0.01, model: { layers: 3, kind: "mlp" }, seed: 7 },
    settings: QUIET,
  });
  media.defineMetric("score", { summary: "max,min" });
  for (let step = 0; step < 4; step++) {
    const pixels = Uint8Array.from({ length: 4 * 6 }, (_, i) => (i * 10 + step * 40) % 256);
    media.log({
      score: [0.5, 0.9, 0.2, 0.7][step] as number,
      weights: new Histogram({ values: [step, 2, 5 - step], bins: [-1, 0, 0.5, 2] }),
      sample: new Image(pixels, { shape: [4, 6] }),
      caption: `step ${step}`,
    });
  }
  media.summary.set("best", { epoch: 2, note: "kept" });
  await media.finish();
}
