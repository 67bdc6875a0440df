import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Api, describeValue, encodeJson, RunlogError } from "@runlog/core";
import { checkKeys, exportFailed, outputFolder } from "../export/export-target.js";

export type TextFormat = "csv" | "jsonl";

export interface ExportOptions {
  /** The runlog root (default RUNLOG_DIR, else ./runlog). */
  readonly dir?: string;
  /** Folder the file is written to (default: the working directory). */
  readonly out?: string;
  /** Only these history keys (`_step` always comes first). */
  readonly keys?: readonly string[];
}

/** RFC 4180 field: numbers as they print, text quoted when it must be, other values as JSON. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text =
    typeof value === "number" || typeof value === "boolean" ? String(value) : typeof value === "string" ? value : encodeJson(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes a run's history (`entity/project/id`) as `<id>.csv` (one column per key, `_step` first)
 * or `<id>.jsonl` (one JSON object per row), streaming rows from the store page by page.
 * Returns the file written.
 */
export async function exportHistory(path: string, format: TextFormat, options: ExportOptions = {}): Promise<string> {
  if (format !== "csv" && format !== "jsonl")
    throw new RunlogError("INVALID_ARGUMENT", `format must be "csv" or "jsonl", got ${describeValue(format)}.`);
  const wanted = checkKeys(options.keys);
  const run = await new Api(options.dir === undefined ? {} : { dir: options.dir }).run(path);
  const keys = ["_step", ...(wanted ?? (await run.historyKeys()).filter((key) => key !== "_step").sort())];
  const file = join(outputFolder(options.out), `${run.id}.${format}`);
  let fd: number;
  try {
    fd = openSync(file, "w");
  } catch (error) {
    throw exportFailed(file, error);
  }
  try {
    if (format === "csv") writeSync(fd, `${keys.map(csvField).join(",")}\n`);
    const scan = wanted === undefined ? run.scanHistory() : run.scanHistory({ keys: wanted });
    for await (const row of scan) {
      if (format === "jsonl") writeSync(fd, `${encodeJson(row)}\n`);
      else writeSync(fd, `${keys.map((key) => csvField(row[key])).join(",")}\n`);
    }
  } finally {
    closeSync(fd);
  }
  return file;
}
