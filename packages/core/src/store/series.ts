import type { ChunkInfos } from "./chunk-index.js";
import type { Points } from "./store.js";

/** Bucketed series for charts: one entry per non-empty bucket, x = x of the bucket's last point. */
export interface SeriesResult {
  readonly x: number[];
  readonly min: number[];
  readonly max: number[];
  readonly last: number[];
  readonly count: number[];
}

class Buckets {
  readonly count: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly last: Float64Array;
  readonly lastX: Float64Array;
  private readonly width: number;

  constructor(
    readonly n: number,
    private readonly from: number,
    to: number,
  ) {
    this.count = new Float64Array(n);
    this.min = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    this.max = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.last = new Float64Array(n);
    this.lastX = new Float64Array(n);
    this.width = to > from ? (to - from) / n : 1;
  }

  index(x: number): number {
    const i = Math.floor((x - this.from) / this.width);
    return i < 0 ? 0 : i >= this.n ? this.n - 1 : i;
  }

  /**
   * Adds a chunk's points (sorted by x). Walks bucket edges instead of dividing per point;
   * a bucket may mix merged and decoded chunks, so the point with the larger x is its "last".
   */
  addSorted(xs: Float64Array, values: Float64Array, from: number, to: number): void {
    let i = 0;
    while (i < xs.length && (xs[i] as number) < from) i++;
    while (i < xs.length && (xs[i] as number) <= to) {
      const b = this.index(xs[i] as number);
      const edge = b === this.n - 1 ? to : this.from + (b + 1) * this.width;
      let count = this.count[b] as number;
      let min = this.min[b] as number;
      let max = this.max[b] as number;
      // The first point always lands in b (so rounding can never stall the loop); the rest
      // until the next edge follow. Points exactly on an edge belong to the next bucket, as in index().
      for (let first = true; i < xs.length; i++, first = false) {
        const x = xs[i] as number;
        if (!first && (b === this.n - 1 ? x > to : x >= edge)) break;
        const value = values[i] as number;
        count++;
        if (value < min) min = value;
        if (value > max) max = value;
        if (x >= (this.lastX[b] as number) || count === 1) {
          this.last[b] = value;
          this.lastX[b] = x;
        }
      }
      this.count[b] = count;
      this.min[b] = min;
      this.max[b] = max;
    }
  }

  /** addSorted for consecutive steps: each bucket's index range is computed, then a tight min/max loop. */
  addDense(firstStep: number, values: Float64Array, from: number, to: number): void {
    const n = values.length;
    let i = Math.max(0, Math.ceil(from - firstStep));
    const end = Math.min(n, Math.floor(to - firstStep) + 1);
    while (i < end) {
      const b = this.index(firstStep + i);
      // Last index in bucket b: points below the next edge (or up to `to` in the last bucket).
      const edge = b === this.n - 1 ? to + 1 : this.from + (b + 1) * this.width;
      let stop = Math.min(end, Math.ceil(edge - firstStep));
      if (stop <= i) stop = i + 1; // rounding can never stall the loop
      let min = this.min[b] as number;
      let max = this.max[b] as number;
      for (let k = i; k < stop; k++) {
        const v = values[k] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      this.min[b] = min;
      this.max[b] = max;
      this.count[b] = (this.count[b] as number) + (stop - i);
      const lastX = firstStep + stop - 1;
      if (lastX >= (this.lastX[b] as number) || this.count[b] === stop - i) {
        this.last[b] = values[stop - 1] as number;
        this.lastX[b] = lastX;
      }
      i = stop;
    }
  }

  add(i: number, x: number, value: number): void {
    this.count[i] = (this.count[i] as number) + 1;
    if (value < (this.min[i] as number)) this.min[i] = value;
    if (value > (this.max[i] as number)) this.max[i] = value;
    this.last[i] = value;
    this.lastX[i] = x;
  }

  result(): SeriesResult {
    const out: SeriesResult = { x: [], min: [], max: [], last: [], count: [] };
    for (let i = 0; i < this.n; i++) {
      const count = this.count[i] as number;
      if (count === 0) continue;
      const min = this.min[i] as number;
      const max = this.max[i] as number;
      out.x.push(this.lastX[i] as number);
      out.min.push(min === Number.POSITIVE_INFINITY ? Number.NaN : min);
      out.max.push(max === Number.NEGATIVE_INFINITY ? Number.NaN : max);
      out.last.push(this.last[i] as number);
      out.count.push(count);
    }
    return out;
  }
}

/**
 * M4-style buckets over [from, to] from chunk stats: a chunk that falls inside one bucket
 * is merged from its stored min/max/last without decoding; only chunks that straddle a
 * bucket boundary (or the range edge) are decoded. Every spike survives as a bucket's min or max.
 */
export async function bucketChunks(
  chunks: ChunkInfos,
  load: (positions: number[]) => Promise<Points[]>,
  buckets: number,
  from: number,
  to: number,
): Promise<SeriesResult> {
  const out = new Buckets(buckets, from, to);
  const toDecode: number[] = [];
  for (let c = 0; c < chunks.length; c++) {
    const firstStep = chunks.firstStep[c] as number;
    const lastStep = chunks.lastStep[c] as number;
    const b = out.index(firstStep);
    if (firstStep >= from && lastStep <= to && b === out.index(lastStep)) {
      out.count[b] = (out.count[b] as number) + (chunks.count[c] as number);
      const min = chunks.min[c] as number;
      const max = chunks.max[c] as number;
      if (min < (out.min[b] as number)) out.min[b] = min; // NaN (an all-NaN chunk) never compares true
      if (max > (out.max[b] as number)) out.max[b] = max;
      // Chunks arrive in step order, so a later chunk's last value wins.
      out.last[b] = chunks.lastValue[c] as number;
      out.lastX[b] = lastStep;
    } else {
      toDecode.push(c);
    }
  }
  if (toDecode.length > 0) {
    for (const points of await load(toDecode)) {
      if (points.dense && points.steps.length > 0) out.addDense(points.steps[0] as number, points.values, from, to);
      else out.addSorted(points.steps, points.values, from, to);
    }
  }
  return out.result();
}

/** Buckets arbitrary (x, y) pairs — the slow path for a custom x-axis. */
export function bucketPoints(xs: ArrayLike<number>, ys: ArrayLike<number>, buckets: number, from: number, to: number): SeriesResult {
  const out = new Buckets(buckets, from, to);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (x < from || x > to || Number.isNaN(x)) continue;
    out.add(out.index(x), x, ys[i] as number);
  }
  return out.result();
}
