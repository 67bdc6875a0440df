import type { FramePart } from "./frame.js";

/** A growable pair of Float64 columns (steps, values) for one key, reused across batches. */
export class Column {
  steps = new Float64Array(64);
  values = new Float64Array(64);
  length = 0;

  push(step: number, value: number): void {
    if (this.length === this.steps.length) {
      const steps = new Float64Array(this.length * 2);
      steps.set(this.steps);
      this.steps = steps;
      const values = new Float64Array(this.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.length++;
  }
}

function sameSteps(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Collects committed rows between two seals, already split into columns: the store
 * appends columns to its chunks without ever seeing a row object.
 */
export class HistoryBatch {
  private readonly columns = new Map<string, Column>();
  private rows: [number, Record<string, unknown>][] = [];
  /** Points (scalar values plus non-scalar values) in the batch. */
  points = 0;

  constructor(readonly stream: "history" | "system") {}

  get isEmpty(): boolean {
    return this.points === 0;
  }

  /** The persistent column for `key`; callers may keep it and push to it directly. */
  column(key: string): Column {
    let column = this.columns.get(key);
    if (column === undefined) {
      column = new Column();
      this.columns.set(key, column);
    }
    return column;
  }

  addScalar(key: string, step: number, value: number): void {
    this.column(key).push(step, value);
    this.points++;
  }

  addValues(step: number, values: Record<string, unknown>, count: number): void {
    this.rows.push([step, values]);
    this.points += count;
  }

  /** The batch as one history frame part; the batch is reset once `encodeFrames` has copied it. */
  takePart(seq: number, t: number, lastStep: number): FramePart {
    const keys: string[] = [];
    const counts: number[] = [];
    const stepsOf: number[] = [];
    const body: Float64Array[] = [];
    let owner: Float64Array | undefined;
    for (const [key, column] of this.columns) {
      if (column.length === 0) continue;
      const steps = column.steps.subarray(0, column.length);
      // Columns filled by the same rows have equal steps: the body carries them once.
      if (owner !== undefined && sameSteps(owner, steps)) stepsOf.push(stepsOf[stepsOf.length - 1] as number);
      else {
        owner = steps;
        stepsOf.push(keys.length);
        body.push(steps);
      }
      keys.push(key);
      counts.push(column.length);
      body.push(column.values.subarray(0, column.length));
    }
    const header = { seq, t, stream: this.stream, keys, counts, stepsOf, rows: this.rows, lastStep };
    const part: FramePart = { kind: "history", header, body };
    this.rows = [];
    this.points = 0;
    return part;
  }

  /** Empties the columns for reuse; call after the part returned by takePart is encoded. */
  reset(): void {
    for (const column of this.columns.values()) column.length = 0;
  }
}
