import type { HistoryHeader } from "@runlog/core/store-kit";

type HistoryDraft = Omit<HistoryHeader, "seq" | "t">;

/** Rows per history frame: small enough to keep memory flat, big enough to amortise a frame. */
export const ROWS_PER_FRAME = 1024;
/** Rows holding non-scalar values (media, histograms) per frame: each is a JSON object in the header. */
export const OBJECT_ROWS_PER_FRAME = 128;

/**
 * Collects imported history rows of one stream ("history" by `_step`, "system" by `_runtime`) as
 * columns, the shape the transaction log carries: numbers in Float64 columns, anything else per row.
 */
export class HistoryBuilder {
  private columns = new Map<string, { steps: number[]; values: number[] }>();
  private others: [number, Record<string, unknown>][] = [];
  private rowCount = 0;
  private lastStep = -1;
  /** Timestamp (ms) of the newest row, the frame's `t`. */
  lastTime = 0;

  constructor(readonly stream: "history" | "system") {}

  get rows(): number {
    return this.rowCount;
  }

  /** Rows collected that hold non-scalar values. */
  get objectRows(): number {
    return this.others.length;
  }

  /** Adds one row; returns the number of points it carried. */
  addRow(step: number, values: Record<string, unknown>, timeMs: number): number {
    let points = 0;
    let other: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(values)) {
      if (typeof value === "number" || typeof value === "boolean") {
        let column = this.columns.get(key);
        if (column === undefined) {
          column = { steps: [], values: [] };
          this.columns.set(key, column);
        }
        column.steps.push(step);
        column.values.push(Number(value));
      } else {
        other ??= {};
        other[key] = value;
      }
      points++;
    }
    if (other !== undefined) this.others.push([step, other]);
    this.rowCount++;
    this.lastStep = Math.max(this.lastStep, step);
    this.lastTime = Math.max(this.lastTime, timeMs);
    return points;
  }

  /** The collected rows as one history frame's header and body; the builder starts empty again. */
  take(): { header: HistoryDraft; body: Float64Array[] } {
    const keys: string[] = [];
    const counts: number[] = [];
    const body: Float64Array[] = [];
    for (const [key, column] of this.columns) {
      keys.push(key);
      counts.push(column.steps.length);
      body.push(Float64Array.from(column.steps), Float64Array.from(column.values));
    }
    const header: HistoryDraft = { stream: this.stream, keys, counts, rows: this.others, lastStep: this.lastStep };
    this.columns = new Map();
    this.others = [];
    this.rowCount = 0;
    return { header, body };
  }
}
