import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Api, type ApiRun, type HistoryRow } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importTensorboard } from "../tensorboard/import-tensorboard.js";
import { makeExportProject } from "../test-support/export-fixture.js";
import { asRead } from "../test-support/parquet-reader.js";
import { readExportWithTensorboard } from "../test-support/tensorboard-oracle.js";
import { exportTfevents } from "./export-tfevents.js";

let root: string;
const runs: Record<string, ApiRun> = {};
const history: Record<string, HistoryRow[]> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-tfevents-"));
  await makeExportProject(root);
  for (const id of ["long", "media"]) {
    runs[id] = await new Api({ dir: root }).run(`e/p/${id}`);
    history[id] = [];
    for await (const row of (runs[id] as ApiRun).scanHistory()) history[id]?.push(row);
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** [step, wall time, value] of every row holding `key`, as TensorBoard reads a scalar or text. */
function series(id: string, key: string) {
  return (history[id] as HistoryRow[]).filter((row) => key in row).map((row) => [row._step, row._timestamp, asRead(row[key])]);
}

/** The history with what TensorBoard has no summary for left out: booleans, lists, a tag's value of another kind. */
function exportable(rows: readonly HistoryRow[]): HistoryRow[] {
  const kinds = new Map<string, string>();
  return rows.map((row) => {
    const kept: HistoryRow = { _step: row._step };
    for (const [key, value] of Object.entries(row)) {
      const kind = typeof value === "object" ? (Array.isArray(value) ? "list" : "object") : typeof value;
      if (kind === "boolean" || kind === "list" || (kinds.has(key) && kinds.get(key) !== kind)) continue;
      kinds.set(key, kind);
      kept[key] = value;
    }
    return kept;
  });
}

describe("exportTfevents: read back by TensorBoard's own EventAccumulator", () => {
  it("scalars (float64, NaN and ±Infinity kept), text, histograms, images and hparams, per step and wall time", async () => {
    const out = tempRoot();
    const result = await exportTfevents("e/p", { dir: root, out });
    expect(result.files.map((file) => dirname(file))).toEqual([join(out, "long"), join(out, "media")]);
    expect(result.skipped).toEqual({ "boolean values": 2, "list values": 5, "values of another kind than their tag's first": 1 });

    const long = readExportWithTensorboard(join(out, "long"));
    expect(Object.keys(long.scalars).sort()).toEqual(["acc", "loss", "mixed", "nested.a"]);
    for (const key of ["loss", "acc", "nested.a"]) expect(long.scalars[key], key).toEqual(series("long", key));
    expect(long.scalars.loss?.slice(3, 6).map(([, , value]) => value)).toEqual([{ float: "nan" }, { float: "inf" }, { float: "-inf" }]);
    expect(long.scalars.mixed).toEqual(series("long", "mixed").slice(0, 1));
    expect(long.served_scalars).toEqual(long.scalars);
    expect(long.text).toEqual({ note: series("long", "note") });
    expect(long.hparams).toEqual({});

    const media = readExportWithTensorboard(join(out, "media"));
    const rows = history.media as HistoryRow[];
    expect(media.scalars).toEqual({ score: series("media", "score") });
    expect(media.served_scalars).toEqual(media.scalars);
    expect(media.text).toEqual({ caption: series("media", "caption") });
    expect(media.hparams).toEqual({ lr: 0.01, "model.layers": 3, "model.kind": "mlp", seed: 7 });
    expect(media.histograms.weights).toEqual(
      rows.map((row) => {
        const { values, bins } = row.weights as { values: number[]; bins: number[] };
        return [row._step, bins[0], bins.at(-1), values.reduce((a, b) => a + b, 0), bins.slice(1), values];
      }),
    );
    expect(media.images.sample).toEqual(
      rows.map((row) => {
        const image = row.sample as { path: string; width: number; height: number };
        const sha = createHash("sha256")
          .update(readFileSync((runs.media as ApiRun).filePath(image.path)))
          .digest("hex");
        return [row._step, image.width, image.height, sha];
      }),
    );
  });

  it("round trip: export → our TensorBoard import → the same history, config flattened", async () => {
    const out = join(tempRoot(), "exported");
    await exportTfevents("e/p", { dir: root, out });
    const back = tempRoot();
    const report = importTensorboard(out, { dir: back, entity: "e", project: "back" });
    expect(report.runs.map((run) => run.id).sort()).toEqual(["long", "media"]);
    for (const id of ["long", "media"]) {
      const imported = await new Api({ dir: back }).run(`e/back/${id}`);
      const rows: HistoryRow[] = [];
      for await (const row of imported.scanHistory()) rows.push(row);
      const expected = exportable(history[id] as HistoryRow[]);
      expect(rows.length, id).toBe(expected.length);
      // _runtime is rebuilt from wall times (start + runtime - start): equal up to float rounding.
      expect(rows.map((row) => row._runtime)).toEqual(expected.map((row) => expect.closeTo(row._runtime as number, 6)));
      expect(rows.map(({ _runtime, ...rest }) => rest)).toEqual(expected.map(({ _runtime, ...rest }) => rest));
    }
    const media = await new Api({ dir: back }).run("e/back/media");
    expect(media.config).toEqual({ lr: 0.01, "model.layers": 3, "model.kind": "mlp", seed: 7 });
  });

  it("--keys: only those tags; a bad path or out folder is a RunlogError", async () => {
    const out = tempRoot();
    const { files } = await exportTfevents("e/p/long", { dir: root, out, keys: ["acc"] });
    expect(files).toHaveLength(1);
    const view = readExportWithTensorboard(join(out, "long"));
    expect(Object.keys(view.scalars)).toEqual(["acc"]);
    expect(view.scalars.acc).toEqual(series("long", "acc"));
    await expect(exportTfevents("nope", { dir: root, out })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const notAFolder = join(out, "file");
    writeFileSync(notAFolder, "x");
    await expect(exportTfevents("e/p/long", { dir: root, out: notAFolder })).rejects.toMatchObject({ code: "EXPORT_FAILED" });
  });
});
