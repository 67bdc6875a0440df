import { encodeJson } from "@runlog/core";
import { fileWriter, ParquetWriter, type SchemaElement } from "hyparquet-writer";
import { exportFailed } from "../export/export-target.js";

/** How a column is stored in Parquet (JSON: UTF-8 text with Parquet's JSON annotation). */
export type ParquetKind = "int64" | "double" | "string" | "boolean" | "json" | "timestamp" | "string-list";

export interface ParquetColumn {
  readonly name: string;
  readonly kind: ParquetKind;
  /** A column that always has a value (run_id, _step): REQUIRED, the rest OPTIONAL. */
  readonly required?: boolean;
}

/** Rows per row group: a row group is all the writer keeps in memory. */
export const DEFAULT_ROW_GROUP_SIZE = 10_000;

function schemaOf(columns: readonly ParquetColumn[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }];
  for (const { name, kind, required } of columns) {
    const repetition_type = required ? "REQUIRED" : "OPTIONAL";
    if (kind === "string-list") {
      // The standard three-level LIST, which pyarrow and DuckDB read as list<string>.
      schema.push({ name, repetition_type, converted_type: "LIST", num_children: 1 });
      schema.push({ name: "list", repetition_type: "REPEATED", num_children: 1 });
      schema.push({ name: "element", repetition_type: "REQUIRED", type: "BYTE_ARRAY", converted_type: "UTF8" });
    } else if (kind === "int64") schema.push({ name, repetition_type, type: "INT64" });
    else if (kind === "double") schema.push({ name, repetition_type, type: "DOUBLE" });
    else if (kind === "boolean") schema.push({ name, repetition_type, type: "BOOLEAN" });
    else if (kind === "timestamp") schema.push({ name, repetition_type, type: "INT64", converted_type: "TIMESTAMP_MILLIS" });
    else schema.push({ name, repetition_type, type: "BYTE_ARRAY", converted_type: kind === "json" ? "JSON" : "UTF8" });
  }
  return schema;
}

/** A value as the column's writer wants it; null where the row has none. */
function cell(kind: ParquetKind, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  switch (kind) {
    case "int64":
      return BigInt(value as number);
    case "timestamp":
      return new Date(Math.round((value as number) * 1000));
    case "json":
      // The writer JSON.stringifies: hand it the tagged form, so NaN, ±Infinity and bigints survive.
      return JSON.parse(encodeJson(value));
    default:
      return value;
  }
}

/**
 * A Parquet file written one row group at a time with hyparquet-writer: rows are buffered per
 * column and flushed every `rowGroupSize` rows, so memory holds one row group, never the file.
 */
export class ParquetFile {
  private readonly writer: ParquetWriter;
  private readonly buffers: unknown[][];
  private buffered = 0;
  rows = 0;

  constructor(
    private readonly file: string,
    private readonly columns: readonly ParquetColumn[],
    private readonly rowGroupSize = DEFAULT_ROW_GROUP_SIZE,
  ) {
    try {
      this.writer = new ParquetWriter({ writer: fileWriter(file), schema: schemaOf(columns), createdBy: "runlog (hyparquet-writer)" });
    } catch (error) {
      throw exportFailed(file, error);
    }
    this.buffers = columns.map(() => []);
  }

  /** One row, its values in column order. */
  add(values: readonly unknown[]): void {
    for (let i = 0; i < this.columns.length; i++)
      (this.buffers[i] as unknown[]).push(cell((this.columns[i] as ParquetColumn).kind, values[i]));
    this.rows++;
    if (++this.buffered >= this.rowGroupSize) this.flush();
  }

  /** Writes the last row group and the footer. */
  finish(): string {
    this.flush();
    this.guard(() => this.writer.finish());
    return this.file;
  }

  private flush(): void {
    if (this.buffered === 0) return;
    const columnData = this.columns.map(({ name }, i) => ({ name, data: this.buffers[i] as unknown[] }));
    this.guard(() => this.writer.write({ columnData, rowGroupSize: this.buffered } as Parameters<ParquetWriter["write"]>[0]));
    for (const buffer of this.buffers) buffer.length = 0;
    this.buffered = 0;
  }

  private guard(write: () => void | Promise<void>): void {
    try {
      void write();
    } catch (error) {
      throw exportFailed(this.file, error);
    }
  }
}
