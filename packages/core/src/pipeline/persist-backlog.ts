import { encodeFrames, scanFrames } from "./frame.js";
import type { DecodedRecord } from "./records.js";

/** A sealed segment the transaction log could not take yet. */
export interface PendingSegment {
  bytes: Buffer;
  readonly lastSeq: number;
  /** Points plus records, as the sender counts them. */
  readonly items: number;
}

/** Inclusive ranges, merged. */
export type Ranges = [number, number][];

/** Exactly what a run could not persist. */
export interface LossReport {
  /** Records (history batches, summary changes, …) not persisted. */
  readonly records: number;
  /** History and system points among them. */
  readonly points: number;
  /** Sequence numbers of those records. */
  readonly seqs: Ranges;
  /** `_step` values of the history rows not persisted. */
  readonly steps: Ranges;
  /** `_runtime` spans (seconds) of the system samples not persisted. */
  readonly systemRuntime: Ranges;
}

function addRange(ranges: Ranges, from: number, to: number, gap: number): void {
  const last = ranges[ranges.length - 1];
  if (last !== undefined && from <= last[1] + gap) last[1] = Math.max(last[1], to);
  else ranges.push([from, to]);
}

/** Merges ranges given in any order. */
export function mergeRanges(ranges: Ranges, gap = 1): Ranges {
  const out: Ranges = [];
  for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) addRange(out, from, to, gap);
  return out;
}

/** Accumulates what was lost, from the records themselves. */
export class LossLedger {
  records = 0;
  points = 0;
  private seqs: Ranges = [];
  private steps: Ranges = [];
  private runtime: Ranges = [];

  get isEmpty(): boolean {
    return this.records === 0;
  }

  add(records: readonly DecodedRecord[]): void {
    for (const record of records) {
      this.records++;
      this.seqs.push([record.header.seq, record.header.seq]);
      if (record.kind !== "history") continue;
      const target = record.header.stream === "system" ? this.runtime : this.steps;
      for (const column of record.columns) {
        this.points += column.values.length;
        if (column.steps.length > 0) target.push(stepSpan(column.steps));
      }
      for (const [step, values] of record.header.rows) {
        this.points += Object.keys(values).length;
        target.push([step, step]);
      }
    }
  }

  report(): LossReport {
    return {
      records: this.records,
      points: this.points,
      seqs: mergeRanges(this.seqs),
      steps: mergeRanges(this.steps),
      systemRuntime: mergeRanges(this.runtime, 0),
    };
  }
}

function stepSpan(steps: Float64Array): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const step of steps) {
    if (step < min) min = step;
    if (step > max) max = step;
  }
  return [min, max];
}

/**
 * Segments sealed while the transaction log refuses writes (a full disk, an I/O error), kept in
 * order until it takes them again. Bounded: past `maxBytes` the oldest segments give up their
 * history and summary frames (recorded in `lost`); the small records (run, config, exit, …) stay.
 * Summary changes go with the history they describe, so the summary never claims a lost step.
 */
export class PersistBacklog {
  readonly segments: PendingSegment[] = [];
  bytes = 0;
  readonly lost = new LossLedger();

  constructor(private readonly maxBytes: number) {}

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  push(segment: PendingSegment): void {
    this.segments.push(segment);
    this.bytes += segment.bytes.length;
    for (let i = 0; this.bytes > this.maxBytes && i < this.segments.length; i++) this.shed(this.segments[i] as PendingSegment);
  }

  shift(): void {
    const segment = this.segments.shift();
    if (segment !== undefined) this.bytes -= segment.bytes.length;
  }

  /** Everything still pending, as lost (the run is ending with the log still refusing writes). */
  abandon(): void {
    for (const segment of this.segments) this.lost.add(scanFrames(segment.bytes, { verify: false }).records);
    this.segments.length = 0;
    this.bytes = 0;
  }

  private shed(segment: PendingSegment): void {
    const records = scanFrames(segment.bytes, { verify: false }).records;
    const drop = records.filter((record) => record.kind === "history" || record.kind === "summary");
    if (drop.length === 0) return;
    this.lost.add(drop);
    const keep = records.filter((record) => record.kind !== "history" && record.kind !== "summary");
    const bytes = encodeFrames(keep.map((record) => ({ kind: record.kind, header: record.header })));
    this.bytes += bytes.length - segment.bytes.length;
    segment.bytes = bytes;
  }
}
