import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type ApiRun, describeValue, encodeJson, RunlogError } from "@runlog/core";
import { csvField } from "../csv/export-history.js";
import { exportFailed, outputFolder, resolveExportTarget } from "../export/export-target.js";
import { kindOf, mergeKinds, type ValueKind } from "../export/value-kind.js";
import { type ParquetColumn, ParquetFile, type ParquetKind } from "../parquet/parquet-file.js";
import { flattenInto } from "./flatten.js";

export type SummaryTableFormat = "parquet" | "csv";

export interface SummaryTableOptions {
  /** The runlog root (default RUNLOG_DIR, else ./runlog). */
  readonly dir?: string;
  /** Folder the file is written to (default: the working directory). */
  readonly out?: string;
}

const RUN_COLUMNS: readonly ParquetColumn[] = [
  { name: "id", kind: "string", required: true },
  { name: "name", kind: "string" },
  { name: "state", kind: "string" },
  { name: "group", kind: "string" },
  { name: "tags", kind: "string-list" },
  { name: "created_at", kind: "timestamp" },
  { name: "heartbeat_at", kind: "timestamp" },
];
const PARQUET_KIND: { readonly [K in ValueKind]: ParquetKind } = { number: "double", string: "string", boolean: "boolean", json: "json" };

function cellsOf(run: ApiRun): Map<string, unknown> {
  const cells = new Map<string, unknown>([
    ["id", run.id],
    ["name", run.name],
    ["state", run.state],
    ["group", run.group],
    ["tags", [...run.tags]],
    ["created_at", run.createdAt],
    ["heartbeat_at", run.heartbeatAt],
  ]);
  for (const [key, value] of Object.entries(run.config)) flattenInto(cells, `config.${key}`, value);
  for (const [key, value] of Object.entries(run.summary)) flattenInto(cells, `summary.${key}`, value);
  return cells;
}

/**
 * Writes a project's runs (`entity/project`) as one table, a row per run (oldest first):
 * id, name, state, group, tags, created_at, heartbeat_at, then the flattened config
 * (`config.a.b`) and summary (`summary.x`, a defineMetric summary as `summary.x.max`…).
 * `<project>-summary.parquet` or `.csv`; returns the file.
 */
export async function exportSummaryTable(path: string, format: SummaryTableFormat, options: SummaryTableOptions = {}): Promise<string> {
  if (format !== "parquet" && format !== "csv")
    throw new RunlogError("INVALID_ARGUMENT", `The summary table is written as "parquet" or "csv", got ${describeValue(format)}.`);
  if (typeof path !== "string" || path.split("/").length !== 2)
    throw new RunlogError("INVALID_ARGUMENT", `The summary table is per project: pass "entity/project", got ${describeValue(path)}.`);
  const target = await resolveExportTarget(path, options);
  const file = join(outputFolder(options.out), `${target.name}-summary.${format}`);
  const rows = target.runs.map(cellsOf);
  const kinds = new Map<string, ValueKind>();
  for (const row of rows)
    for (const [name, value] of row)
      if (!RUN_COLUMNS.some((column) => column.name === name) && value !== undefined && value !== null)
        kinds.set(name, mergeKinds(kinds.get(name), kindOf(value)));
  const names = [...kinds.keys()].sort();
  const columns = [...RUN_COLUMNS, ...names.map((name) => ({ name, kind: PARQUET_KIND[kinds.get(name) as ValueKind] }))];
  if (format === "parquet") {
    const parquet = new ParquetFile(file, columns);
    for (const row of rows) parquet.add(columns.map(({ name }) => row.get(name)));
    return parquet.finish();
  }
  writeCsv(file, columns, rows);
  return file;
}

/** CSV: times as ISO 8601, tags and other non-scalar values as JSON text. */
function writeCsv(file: string, columns: readonly ParquetColumn[], rows: readonly Map<string, unknown>[]): void {
  const text = (column: ParquetColumn, value: unknown) => {
    if (value === undefined || value === null) return "";
    if (column.kind === "timestamp") return new Date((value as number) * 1000).toISOString();
    return csvField(column.kind === "json" || column.kind === "string-list" ? encodeJson(value) : value);
  };
  let fd: number;
  try {
    fd = openSync(file, "w");
  } catch (error) {
    throw exportFailed(file, error);
  }
  try {
    writeSync(fd, `${columns.map(({ name }) => csvField(name)).join(",")}\n`);
    for (const row of rows) writeSync(fd, `${columns.map((column) => text(column, row.get(column.name))).join(",")}\n`);
  } finally {
    closeSync(fd);
  }
}
