import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, type ApiRun } from "@runlog/core";
import { venvPython } from "@runlog/test-support/python-env";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeExportProject } from "../test-support/export-fixture.js";
import { readWithPyarrow } from "../test-support/parquet-reader.js";
import { exportSummaryTable } from "./export-summary-table.js";

let root: string;
let long: ApiRun;
let media: ApiRun;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-summary-table-"));
  await makeExportProject(root);
  long = await new Api({ dir: root }).run("e/p/long");
  media = await new Api({ dir: root }).run("e/p/media");
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const COLUMNS = [
  "id",
  "name",
  "state",
  "group",
  "tags",
  "created_at",
  "heartbeat_at",
  "config.lr",
  "config.model.kind",
  "config.model.layers",
  "config.seed",
];

/** The cells every reader must see, per run (oldest first: long, then media). */
function expectedCells(iso: (seconds: number) => string) {
  return {
    id: ["long", "media"],
    name: ["long one", media.name],
    state: ["finished", "finished"],
    group: [null, "g1"],
    created_at: [iso(long.createdAt), iso(media.createdAt)],
    "config.lr": [null, 0.01],
    "config.model.layers": [null, 3],
    "config.model.kind": [null, "mlp"],
    "summary.score.max": [null, 0.9],
    "summary.score.min": [null, 0.2],
    "summary.best.epoch": [null, 2],
    "summary.best.note": [null, "kept"],
    "summary.loss": [long.summary.loss, null],
    "summary.note": [long.summary.note, null],
  };
}

describe("exportSummaryTable: a row per run, config and summary flattened", () => {
  it("Parquet, read back by pyarrow: typed columns, tags as list<string>, times as timestamps", async () => {
    const file = await exportSummaryTable("e/p", "parquet", { dir: root, out: tempRoot() });
    expect(file.endsWith("p-summary.parquet")).toBe(true);
    const view = readWithPyarrow(file);
    expect(view.rows).toBe(2);
    expect(Object.keys(view.types).slice(0, COLUMNS.length)).toEqual(COLUMNS);
    expect(Object.keys(view.types).every((name, i) => i < COLUMNS.length || name.startsWith("summary."))).toBe(true);
    expect(view.types).toMatchObject({
      id: "string",
      tags: "list<element: string not null>",
      created_at: "timestamp[ms, tz=UTC]",
      "config.lr": "double",
      "config.model.kind": "string",
      "summary.score.max": "double",
      "summary.weights": "extension<arrow.json>",
      "summary.flag": "bool",
    });
    // pyarrow's isoformat of a UTC millisecond timestamp: microseconds and the offset.
    const iso = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace(/Z$/, "000+00:00");
    for (const [name, cells] of Object.entries(expectedCells(iso))) expect(view.columns[name], name).toEqual(cells);
    expect(view.columns.tags).toEqual([[], ["a", "b"]]);
    expect(JSON.parse(view.columns["summary.weights"]?.[1] as string)).toEqual(media.summary.weights);
  });

  it("CSV, read back by pandas: the same cells, tags as JSON text", async () => {
    const file = await exportSummaryTable("e/p", "csv", { dir: root, out: tempRoot() });
    const script = [
      "import json,sys,pandas as pd",
      "df=pd.read_csv(sys.argv[1], parse_dates=['created_at','heartbeat_at'])",
      "df['created_at']=df['created_at'].dt.strftime('%Y-%m-%dT%H:%M:%S.%f').str[:-3]",
      "df['heartbeat_at']=df['heartbeat_at'].astype(str)",
      "print(json.dumps({'columns': list(df.columns), 'cells': {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns}}))",
    ].join("\n");
    const view = JSON.parse(execFileSync(venvPython("dev"), ["-c", script, file]).toString()) as {
      columns: string[];
      cells: Record<string, unknown[]>;
    };
    expect(view.columns.slice(0, COLUMNS.length)).toEqual(COLUMNS);
    const iso = (seconds: number) => new Date(Math.round(seconds * 1000)).toISOString().replace(/Z$/, "");
    for (const [name, cells] of Object.entries(expectedCells(iso))) expect(view.cells[name], name).toEqual(cells);
    expect(view.cells.tags).toEqual(["[]", '["a","b"]']);
  });

  it("answers a run path, a bad format or an unknown project with a RunlogError", async () => {
    const out = tempRoot();
    await expect(exportSummaryTable("e/p/long", "csv", { dir: root, out })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(exportSummaryTable("e/p", "xlsx" as "csv", { dir: root, out })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(exportSummaryTable("e/none", "parquet", { dir: root, out })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });
});
