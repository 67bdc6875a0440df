import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, encodeJson, type HistoryRow } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LONG_RUN_ROWS, makeExportProject } from "../test-support/export-fixture.js";
import { asRead, readWithPyarrow } from "../test-support/parquet-reader.js";
import { exportParquet } from "./export-parquet.js";

let root: string;
const history: Record<string, HistoryRow[]> = {};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-parquet-"));
  await makeExportProject(root);
  for (const id of ["long", "media"]) {
    history[id] = [];
    for await (const row of (await new Api({ dir: root }).run(`e/p/${id}`)).scanHistory()) history[id]?.push(row);
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What pyarrow should read for `key` in `row`: numbers as doubles, strings as text, the rest as JSON text. */
function expectedCell(row: HistoryRow, key: string, kind: "value" | "json"): unknown {
  const value = row[key];
  if (value === undefined || value === null) return null;
  return kind === "json" ? encodeJson(value) : asRead(value);
}

describe("exportParquet: wide layout, read back by pyarrow", () => {
  it("one run: every value, null where a key is absent, a type per column, row groups of 10,000", async () => {
    const file = await exportParquet("e/p/long", { dir: root, out: tempRoot() });
    const view = readWithPyarrow(file);
    const rows = history.long as HistoryRow[];
    expect(view.rows).toBe(LONG_RUN_ROWS);
    expect(view.row_groups).toBe(2);
    expect(view.types).toEqual({
      run_id: "string",
      _step: "int64",
      _timestamp: "double",
      _runtime: "double",
      acc: "double",
      flag: "bool",
      loss: "double",
      mixed: "extension<arrow.json>",
      "nested.a": "double",
      "nested.b": "extension<arrow.json>",
      note: "string",
    });
    expect(view.nullable).toMatchObject({ run_id: false, _step: false, loss: true });
    expect(view.columns.run_id).toEqual(rows.map(() => "long"));
    for (const key of ["_step", "_timestamp", "_runtime", "loss", "acc", "note", "nested.a", "flag"])
      expect(view.columns[key], key).toEqual(rows.map((row) => expectedCell(row, key, "value")));
    for (const key of ["mixed", "nested.b"]) expect(view.columns[key], key).toEqual(rows.map((row) => expectedCell(row, key, "json")));
    // The spot checks a reader relies on: NaN and ±Infinity, a sparse key, a list holding NaN.
    expect(view.columns.loss?.slice(3, 6)).toEqual([{ float: "nan" }, { float: "inf" }, { float: "-inf" }]);
    expect(view.columns.acc?.filter((value) => value !== null)).toHaveLength(LONG_RUN_ROWS / 100);
    expect(view.columns["nested.b"]?.[1]).toBe('[1,{"__runlog_number":"NaN"},"x"]');
    expect(view.columns.mixed?.slice(10, 12)).toEqual(["1.5", '"one and a half"']);
  });

  it("a project: one file, the runs oldest first told apart by run_id, media as JSON text", async () => {
    const file = await exportParquet("e/p", { dir: root, out: tempRoot(), rowGroupSize: 5000 });
    expect(file.endsWith("p.parquet")).toBe(true);
    const view = readWithPyarrow(file);
    const long = history.long as HistoryRow[];
    const media = history.media as HistoryRow[];
    expect(view.rows).toBe(long.length + media.length);
    expect(view.row_groups).toBe(3);
    expect(view.columns.run_id).toEqual([...long.map(() => "long"), ...media.map(() => "media")]);
    expect(view.types).toMatchObject({
      score: "double",
      caption: "string",
      sample: "extension<arrow.json>",
      weights: "extension<arrow.json>",
    });
    expect(view.columns.score).toEqual([...long.map(() => null), ...media.map((row) => row.score)]);
    expect(view.columns.weights?.slice(long.length)).toEqual(media.map((row) => encodeJson(row.weights)));
    expect(view.columns.loss?.slice(long.length)).toEqual(media.map(() => null));
  });

  it("--keys: only those columns, only the rows holding one of them", async () => {
    const file = await exportParquet("e/p/long", { dir: root, out: tempRoot(), keys: ["acc"] });
    const view = readWithPyarrow(file);
    expect(Object.keys(view.types)).toEqual(["run_id", "_step", "_timestamp", "_runtime", "acc"]);
    const rows = (history.long as HistoryRow[]).filter((row) => "acc" in row);
    expect(view.columns._step).toEqual(rows.map((row) => row._step));
    expect(view.columns.acc).toEqual(rows.map((row) => row.acc));
  });
});

describe("exportParquet: long layout", () => {
  it("a row per (run, step, key) value, in the column of its kind", async () => {
    const file = await exportParquet("e/p", { dir: root, out: tempRoot(), layout: "long" });
    const view = readWithPyarrow(file);
    expect(view.types).toEqual({
      run_id: "string",
      step: "int64",
      timestamp: "double",
      runtime: "double",
      key: "string",
      value: "double",
      text: "string",
      json: "extension<arrow.json>",
    });
    const expected: unknown[][] = [];
    for (const id of ["long", "media"])
      for (const row of history[id] as HistoryRow[])
        for (const key of Object.keys(row).sort()) {
          if (key.startsWith("_")) continue;
          const value = row[key];
          expected.push([
            id,
            row._step,
            key,
            typeof value === "number" ? asRead(value) : null,
            typeof value === "string" ? value : null,
            typeof value === "number" || typeof value === "string" ? null : encodeJson(value),
          ]);
        }
    const columns = ["run_id", "step", "key", "value", "text", "json"].map((name) => view.columns[name] as unknown[]);
    expect(view.rows).toBe(expected.length);
    expect(Array.from({ length: view.rows }, (_, i) => columns.map((column) => column[i]))).toEqual(expected);
    expect(view.columns.timestamp?.[0]).toBe((history.long as HistoryRow[])[0]?._timestamp);
  });
});

describe("exportParquet: bad input", () => {
  it("answers a bad layout, path, keys or out folder with a RunlogError, writing nothing", async () => {
    const out = tempRoot();
    await expect(exportParquet("e/p/long", { dir: root, out, layout: "tall" as "long" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(exportParquet("e/p/long", { dir: root, out, rowGroupSize: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(exportParquet("e/p/long/x", { dir: root, out })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(exportParquet("e/p/long", { dir: root, out, keys: [""] })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(exportParquet("e/nope", { dir: root, out })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    const notAFolder = join(out, "file");
    writeFileSync(notAFolder, "x");
    await expect(exportParquet("e/p/long", { dir: root, out: notAFolder })).rejects.toMatchObject({
      code: "EXPORT_FAILED",
      details: { path: notAFolder },
    });
    await expect(exportParquet("e/p/long", { dir: root, out: join(notAFolder, "below") })).rejects.toMatchObject({ code: "EXPORT_FAILED" });
  });
});
