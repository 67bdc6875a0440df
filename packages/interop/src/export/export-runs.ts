import { describeValue, RunlogError } from "@runlog/core";
import { exportHistory } from "../csv/export-history.js";
import { exportParquet, type ParquetLayout } from "../parquet/export-parquet.js";
import { exportSummaryTable } from "../summary-table/export-summary-table.js";
import { exportTfevents } from "../tfevents/export-tfevents.js";
import { type ExportTargetOptions, resolveExportTarget } from "./export-target.js";

export type ExportFormat = "parquet" | "csv" | "jsonl" | "tfevents";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["parquet", "csv", "jsonl", "tfevents"];

export interface ExportRunsOptions extends ExportTargetOptions {
  /** Parquet only: "wide" (default) or "long". */
  readonly layout?: ParquetLayout;
  /** The project summary table (a row per run) instead of history: parquet or csv, a project path. */
  readonly summary?: boolean;
}

export interface ExportResult {
  /** Every file written. */
  readonly files: readonly string[];
  /** tfevents only: values TensorBoard has no summary for, by kind. */
  readonly skipped: Readonly<Record<string, number>>;
}

/**
 * `runlog export` in code: a run (`entity/project/id`) or a project (`entity/project`) in any
 * format. Parquet writes one file (a `run_id` column), CSV and JSON lines a file per run,
 * tfevents a folder per run; `summary: true` writes the project summary table.
 */
export async function exportRuns(path: string, format: ExportFormat, options: ExportRunsOptions = {}): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(format))
    throw new RunlogError("INVALID_ARGUMENT", `format must be one of ${EXPORT_FORMATS.join(", ")}, got ${describeValue(format)}.`);
  const { layout, summary, ...target } = options;
  if (layout !== undefined && format !== "parquet")
    throw new RunlogError("INVALID_ARGUMENT", `layout applies to parquet only, not ${format}.`);
  if (summary === true) {
    if (format !== "parquet" && format !== "csv")
      throw new RunlogError("INVALID_ARGUMENT", `The summary table is written as parquet or csv, not ${format}.`);
    if (target.keys !== undefined)
      throw new RunlogError("INVALID_ARGUMENT", "keys select history keys: the summary table has every column.");
    return { files: [await exportSummaryTable(path, format, target)], skipped: {} };
  }
  if (format === "parquet")
    return { files: [await exportParquet(path, { ...target, ...(layout === undefined ? {} : { layout }) })], skipped: {} };
  if (format === "tfevents") return exportTfevents(path, target);
  const { runs } = await resolveExportTarget(path, target);
  const files: string[] = [];
  for (const run of runs) files.push(await exportHistory(run.path, format, target));
  return { files, skipped: {} };
}
