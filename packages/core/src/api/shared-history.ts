import type { Points } from "../store/store.js";

// Shared mode reads (see README "Shared mode"): a run written by several labelled writers returns
// each writer's rows with its `_label`, ordered by (_step, _label); aggregates are per step.

type Row = Record<string, unknown> & { _step: number };
export type LabelledRow = Row & { _label: string };

function byStepThenLabel(a: LabelledRow, b: LabelledRow): number {
  return a._step - b._step || (a._label < b._label ? -1 : a._label > b._label ? 1 : 0);
}

/** Every writer's rows, each tagged with its writer's `_label`, in (_step, _label) order. */
export function labelRows(perWriter: readonly (readonly [string, readonly Row[]])[]): LabelledRow[] {
  const out: LabelledRow[] = [];
  for (const [label, rows] of perWriter) for (const row of rows) out.push({ ...row, _label: label });
  return out.sort(byStepThenLabel);
}

/** Merges writers' row scans (each in step order) into one in (_step, _label) order, reading each lazily. */
export async function* mergeScans(scans: readonly (readonly [string, AsyncGenerator<Row>])[]): AsyncGenerator<LabelledRow> {
  const heads: { label: string; scan: AsyncGenerator<Row>; row: LabelledRow | undefined }[] = [];
  for (const [label, scan] of scans) {
    const next = await scan.next();
    heads.push({ label, scan, row: next.done ? undefined : { ...next.value, _label: label } });
  }
  for (;;) {
    let best: (typeof heads)[number] | undefined;
    for (const head of heads) {
      if (head.row !== undefined && (best?.row === undefined || byStepThenLabel(head.row, best.row) < 0)) best = head;
    }
    if (best?.row === undefined) return;
    yield best.row;
    const next = await best.scan.next();
    best.row = next.done ? undefined : { ...next.value, _label: best.label };
  }
}

/** Per-step statistics of one key across writers: at each step any writer logged, over the writers that did. */
export interface WriterAggregate {
  readonly steps: number[];
  readonly mean: number[];
  readonly min: number[];
  readonly max: number[];
  /** How many writers logged the key at that step. */
  readonly count: number[];
}

/** Mean, min and max per step over writers' points (NaN values are left out; a step of only NaNs gives NaN). */
export function aggregateSteps(parts: readonly Points[]): WriterAggregate {
  const acc = new Map<number, { sum: number; min: number; max: number; n: number; seen: number }>();
  for (const part of parts) {
    for (let i = 0; i < part.steps.length; i++) {
      const step = part.steps[i] as number;
      const value = part.values[i] as number;
      let a = acc.get(step);
      if (a === undefined) {
        a = { sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, n: 0, seen: 0 };
        acc.set(step, a);
      }
      a.seen++;
      if (Number.isNaN(value)) continue;
      a.sum += value;
      a.n++;
      a.min = Math.min(a.min, value);
      a.max = Math.max(a.max, value);
    }
  }
  const steps = [...acc.keys()].sort((x, y) => x - y);
  const out: WriterAggregate = { steps, mean: [], min: [], max: [], count: [] };
  for (const step of steps) {
    const a = acc.get(step) as { sum: number; min: number; max: number; n: number; seen: number };
    out.mean.push(a.n === 0 ? Number.NaN : a.sum / a.n);
    out.min.push(a.n === 0 ? Number.NaN : a.min);
    out.max.push(a.n === 0 ? Number.NaN : a.max);
    out.count.push(a.seen);
  }
  return out;
}
