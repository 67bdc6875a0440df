import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { venvPython } from "@runlog/test-support/python-env";

const READ = fileURLToPath(new URL("./read_parquet.py", import.meta.url));

export interface ParquetView {
  rows: number;
  row_groups: number;
  types: Record<string, string>;
  nullable: Record<string, boolean>;
  columns: Record<string, unknown[]>;
}

/** What pyarrow (in .venv) reads from a Parquet file. */
export function readWithPyarrow(file: string): ParquetView {
  return JSON.parse(execFileSync(venvPython("dev"), [READ, file], { maxBuffer: 256 * 1024 * 1024 }).toString("utf8"));
}

/** A number as read_parquet.py writes it (non-finite ones tagged). */
export function asRead(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return { float: Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf" };
  return value;
}
