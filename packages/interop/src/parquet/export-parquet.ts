import { join } from "node:path";
import { type ApiRun, describeValue, RunlogError } from "@runlog/core";
import { checkKeys, type ExportTargetOptions, outputFolder, resolveExportTarget, rowsOf } from "../export/export-target.js";
import { kindOf, mergeKinds, type ValueKind } from "../export/value-kind.js";
import { DEFAULT_ROW_GROUP_SIZE, type ParquetColumn, ParquetFile, type ParquetKind } from "./parquet-file.js";

export type ParquetLayout = "wide" | "long";

export interface ParquetExportOptions extends ExportTargetOptions {
  /** "wide" (default): a row per step, a column per key. "long": a row per (step, key) value. */
  readonly layout?: ParquetLayout;
  /** Rows per row group (default 10,000): the most rows held in memory at once. */
  readonly rowGroupSize?: number;
}

const ROW_COLUMNS = new Set(["_step", "_timestamp", "_runtime"]);
const PARQUET_KIND: { readonly [K in ValueKind]: ParquetKind } = { number: "double", string: "string", boolean: "boolean", json: "json" };

/** Long layout: the value lands in the column of its kind, the others null. */
const LONG_COLUMNS: readonly ParquetColumn[] = [
  { name: "run_id", kind: "string", required: true },
  { name: "step", kind: "int64", required: true },
  { name: "timestamp", kind: "double" },
  { name: "runtime", kind: "double" },
  { name: "key", kind: "string", required: true },
  { name: "value", kind: "double" },
  { name: "text", kind: "string" },
  { name: "json", kind: "json" },
];

/**
 * Writes the history of a run (`entity/project/id`, file `<id>.parquet`) or of every run of a
 * project (`entity/project`, file `<project>.parquet`, runs oldest first) as one Parquet file with
 * a `run_id` column, streaming rows from the store one row group at a time. Returns the file.
 */
export async function exportParquet(path: string, options: ParquetExportOptions = {}): Promise<string> {
  const layout = options.layout ?? "wide";
  if (layout !== "wide" && layout !== "long")
    throw new RunlogError("INVALID_ARGUMENT", `layout must be "wide" or "long", got ${describeValue(layout)}.`);
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1)
    throw new RunlogError("INVALID_ARGUMENT", `rowGroupSize must be a positive integer, got ${describeValue(rowGroupSize)}.`);
  const keys = checkKeys(options.keys);
  const target = await resolveExportTarget(path, options);
  const file = join(outputFolder(options.out), `${target.name}.parquet`);
  if (layout === "long") return writeLong(file, target.runs, keys, rowGroupSize);
  return writeWide(file, target.runs, keys, rowGroupSize);
}

/** The first pass of a wide export: every key's kind over all rows (a map of keys, not the rows). */
async function columnKinds(runs: readonly ApiRun[], keys: readonly string[] | undefined): Promise<Map<string, ValueKind | undefined>> {
  const kinds = new Map<string, ValueKind | undefined>();
  for (const key of keys ?? []) if (!ROW_COLUMNS.has(key)) kinds.set(key, undefined);
  for (const run of runs) {
    if (keys === undefined) for (const key of await run.historyKeys()) if (!ROW_COLUMNS.has(key)) kinds.set(key, kinds.get(key));
    for await (const row of rowsOf(run, keys)) {
      for (const [key, value] of Object.entries(row)) {
        if (ROW_COLUMNS.has(key) || value === undefined || value === null || !kinds.has(key)) continue;
        kinds.set(key, mergeKinds(kinds.get(key), kindOf(value)));
      }
    }
  }
  return kinds;
}

async function writeWide(file: string, runs: readonly ApiRun[], keys: readonly string[] | undefined, rowGroupSize: number) {
  const kinds = await columnKinds(runs, keys);
  const names = [...kinds.keys()].sort();
  const columns: ParquetColumn[] = [
    { name: "run_id", kind: "string", required: true },
    { name: "_step", kind: "int64", required: true },
    { name: "_timestamp", kind: "double" },
    { name: "_runtime", kind: "double" },
    // A key that never holds a value is an all-null double column.
    ...names.map((name) => ({ name, kind: PARQUET_KIND[kinds.get(name) ?? "number"] })),
  ];
  const parquet = new ParquetFile(file, columns, rowGroupSize);
  for (const run of runs) {
    for await (const row of rowsOf(run, keys)) {
      const values: unknown[] = [run.id, row._step, row._timestamp, row._runtime];
      for (const name of names) values.push(row[name]);
      parquet.add(values);
    }
  }
  return parquet.finish();
}

async function writeLong(file: string, runs: readonly ApiRun[], keys: readonly string[] | undefined, rowGroupSize: number) {
  const parquet = new ParquetFile(file, LONG_COLUMNS, rowGroupSize);
  for (const run of runs) {
    for await (const row of rowsOf(run, keys)) {
      for (const key of Object.keys(row).sort()) {
        const value = row[key];
        if (ROW_COLUMNS.has(key) || value === undefined || value === null) continue;
        if (keys !== undefined && !keys.includes(key)) continue;
        const kind = kindOf(value);
        parquet.add([
          run.id,
          row._step,
          row._timestamp,
          row._runtime,
          key,
          kind === "number" ? value : null,
          kind === "string" ? value : null,
          kind === "number" || kind === "string" ? null : value,
        ]);
      }
    }
  }
  return parquet.finish();
}
