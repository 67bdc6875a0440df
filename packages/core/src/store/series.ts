import type { ChunkInfo, Points } from "./store.js";

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
  chunks: readonly ChunkInfo[],
  load: (seqs: number[]) => Promise<Points[]>,
  buckets: number,
  from: number,
  to: number,
): Promise<SeriesResult> {
  const out = new Buckets(buckets, from, to);
  const toDecode: ChunkInfo[] = [];
  for (const chunk of chunks) {
    const inside = chunk.firstStep >= from && chunk.lastStep <= to;
    const first = out.index(chunk.firstStep);
    if (inside && first === out.index(chunk.lastStep)) {
      out.count[first] = (out.count[first] as number) + chunk.count;
      if (chunk.min !== null && chunk.min < (out.min[first] as number)) out.min[first] = chunk.min;
      if (chunk.max !== null && chunk.max > (out.max[first] as number)) out.max[first] = chunk.max;
      // Chunks arrive in step order, so a later chunk's last value wins; SQLite stores NaN as NULL.
      out.last[first] = chunk.lastValue ?? Number.NaN;
      out.lastX[first] = chunk.lastStep;
    } else {
      toDecode.push(chunk);
    }
  }
  if (toDecode.length > 0) {
    const decoded = await load(toDecode.map((c) => c.seq));
    // A bucket may mix merged and decoded chunks: the point with the larger x is its "last".
    for (const points of decoded) {
      const { steps, values } = points;
      for (let i = 0; i < steps.length; i++) {
        const x = steps[i] as number;
        if (x < from || x > to) continue;
        const b = out.index(x);
        const value = values[i] as number;
        out.count[b] = (out.count[b] as number) + 1;
        if (value < (out.min[b] as number)) out.min[b] = value;
        if (value > (out.max[b] as number)) out.max[b] = value;
        if (x >= (out.lastX[b] as number) || out.count[b] === 1) {
          out.last[b] = value;
          out.lastX[b] = x;
        }
      }
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
