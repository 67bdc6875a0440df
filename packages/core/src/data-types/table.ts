import { describeValue, RunlogError } from "../errors.js";
import { encodeJson } from "../util/json.js";
import { type HistoryContext, isLoggable, type Loggable, TO_HISTORY } from "./loggable.js";
import { writeMedia } from "./media.js";

/** W&B's limits: rows in a table logged to a run, and in one added to an artifact. */
export const MAX_RUN_ROWS = 10_000;
export const MAX_ARTIFACT_ROWS = 200_000;

export type ColumnType = "number" | "string" | "boolean" | "null" | "image" | "histogram" | "media" | "json" | "mixed";
export type LogMode = "immutable" | "mutable" | "incremental";

/**
 * Tabular data for run.log (W&B's `table-file`): from `{ columns, data }` or an array of objects.
 * Cells may hold numbers, strings, booleans, null, Images, Histograms or other loggables.
 * At most 10,000 rows in a run; larger tables belong in an artifact.
 */
export class Table implements Loggable {
  readonly columns: string[];
  readonly data: unknown[][];
  readonly logMode: LogMode;
  /** Set once an immutable table is logged. */
  private frozen = false;
  /** Incremental mode: rows already logged, and how many increments went out. */
  private loggedRows = 0;
  private logs = 0;

  constructor(options: { columns?: readonly string[]; data?: readonly (readonly unknown[])[]; logMode?: LogMode } = {}) {
    const columns = options.columns ?? [];
    if (
      !Array.isArray(columns) ||
      columns.some((c) => typeof c !== "string" || c.length === 0) ||
      new Set(columns).size !== columns.length
    ) {
      throw new RunlogError("INVALID_VALUE", `Table columns must be distinct non-empty strings, got ${describeValue(columns)}.`);
    }
    const logMode = options.logMode ?? "immutable";
    if (!["immutable", "mutable", "incremental"].includes(logMode))
      throw new RunlogError("INVALID_VALUE", `Table logMode must be immutable, mutable or incremental, got ${describeValue(logMode)}.`);
    this.columns = [...columns];
    this.logMode = logMode;
    this.data = [];
    for (const row of options.data ?? []) this.addRow(...row);
  }

  /** A table whose columns are the union of the objects' keys (in first-seen order). */
  static fromObjects(rows: readonly Record<string, unknown>[]): Table {
    if (!Array.isArray(rows))
      throw new RunlogError("INVALID_VALUE", `Table.fromObjects needs an array of objects, got ${describeValue(rows)}.`);
    const columns: string[] = [];
    for (const row of rows) for (const key of Object.keys(row ?? {})) if (!columns.includes(key)) columns.push(key);
    return new Table({ columns, data: rows.map((row) => columns.map((c) => (row as Record<string, unknown>)[c] ?? null)) });
  }

  get rowCount(): number {
    return this.data.length;
  }

  addRow(...values: unknown[]): void {
    this.assertChangeable();
    if (values.length !== this.columns.length) {
      throw new RunlogError(
        "INVALID_VALUE",
        `Table row ${this.data.length} has ${values.length} values for ${this.columns.length} columns (${this.columns.join(", ")}).`,
      );
    }
    if (this.data.length >= MAX_ARTIFACT_ROWS) throw new RunlogError("VALUE_TOO_LARGE", `A Table holds at most ${MAX_ARTIFACT_ROWS} rows.`);
    this.data.push(values);
  }

  addColumn(name: string, values: readonly unknown[]): void {
    this.assertChangeable();
    if (this.logMode === "incremental" && this.logs > 0)
      throw new RunlogError("INVALID_VALUE", "An incremental Table cannot gain columns once logged; its increments must share columns.");
    if (typeof name !== "string" || name.length === 0 || this.columns.includes(name))
      throw new RunlogError("INVALID_VALUE", `Table column name ${describeValue(name)} is empty or already used.`);
    if (!Array.isArray(values) || (this.data.length > 0 && values.length !== this.data.length)) {
      throw new RunlogError(
        "INVALID_VALUE",
        `Table column "${name}" needs ${this.data.length} values, got ${Array.isArray(values) ? values.length : describeValue(values)}.`,
      );
    }
    if (this.data.length === 0) for (const _ of values) this.data.push([]);
    this.columns.push(name);
    for (let i = 0; i < this.data.length; i++) (this.data[i] as unknown[]).push(values[i]);
  }

  getColumn(name: string): unknown[] {
    const index = this.columns.indexOf(name);
    if (index === -1) throw new RunlogError("INVALID_ARGUMENT", `Table has no column "${name}" (columns: ${this.columns.join(", ")}).`);
    return this.data.map((row) => row[index]);
  }

  /** The inferred type of each column ("mixed" when cells disagree, nulls aside). */
  columnTypes(): Record<string, ColumnType> {
    const out: Record<string, ColumnType> = {};
    this.columns.forEach((column, i) => {
      let type: ColumnType | undefined;
      for (const row of this.data) {
        const cell = cellType(row[i]);
        if (cell === "null") continue;
        type = type === undefined || type === cell ? cell : "mixed";
      }
      out[column] = type ?? "null";
    });
    return out;
  }

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    if (this.data.length > MAX_RUN_ROWS) {
      throw new RunlogError(
        "VALUE_TOO_LARGE",
        `Table of ${this.data.length} rows is over the ${MAX_RUN_ROWS}-row limit for run.log; add it to an artifact instead (artifact.add(table, name)).`,
      );
    }
    // W&B's log modes: immutable tables freeze once logged; mutable ones are re-logged whole;
    // incremental ones log only the rows added since the previous log, numbered by increment.
    if (this.logMode !== "incremental") {
      const value = this.serialize(context, 0);
      if (this.logMode === "immutable") this.frozen = true;
      return value;
    }
    const value = { ...this.serialize(context, this.loggedRows), increment: this.logs, total_rows: this.data.length };
    this.loggedRows = this.data.length;
    this.logs++;
    return value;
  }

  private assertChangeable(): void {
    if (this.frozen) {
      throw new RunlogError(
        "INVALID_VALUE",
        'This Table was logged with logMode "immutable" and cannot change; create a new Table, or use logMode "mutable" or "incremental".',
      );
    }
  }

  /** @internal writes rows from `fromRow` on (and their media cells) under `context.runDir`; the row limit is the caller's. */
  serialize(context: HistoryContext, fromRow = 0): Record<string, unknown> {
    const data = this.data
      .slice(fromRow)
      .map((row, r) =>
        row.map((cell, c) =>
          isLoggable(cell) ? cell[TO_HISTORY]({ ...context, key: `${context.key}.${fromRow + r}.${this.columns[c]}` }) : cell,
        ),
      );
    const json = encodeJson({ columns: this.columns, data, column_types: this.columnTypes() });
    const file = writeMedia(context, "table", "table.json", Buffer.from(json, "utf8"));
    return {
      _type: this.logMode === "incremental" ? "incremental-table-file" : "table-file",
      ...file,
      ncols: this.columns.length,
      nrows: data.length,
      log_mode: this.logMode,
    };
  }
}

function cellType(cell: unknown): ColumnType {
  if (cell === null || cell === undefined) return "null";
  if (typeof cell === "number" || typeof cell === "bigint") return "number";
  if (typeof cell === "string") return "string";
  if (typeof cell === "boolean") return "boolean";
  if (isLoggable(cell)) {
    const name = (cell as object).constructor?.name;
    return name === "Image" ? "image" : name === "Histogram" ? "histogram" : "media";
  }
  return "json";
}
