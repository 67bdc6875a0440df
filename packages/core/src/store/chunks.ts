/** Points per stored chunk. Chosen by bench/series.mjs: small enough that boundary decodes are cheap. */
export const CHUNK_POINTS = 1024;

export interface ChunkStats {
  count: number;
  min: number | null;
  max: number | null;
  firstValue: number;
  lastValue: number;
  firstStep: number;
  lastStep: number;
}

/** Stats over finite-or-infinite values; NaN is skipped for min/max (null when all NaN). */
export function chunkStats(steps: Float64Array, values: Float64Array, count: number): ChunkStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let seen = false;
  for (let i = 0; i < count; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    seen = true;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    count,
    min: seen ? min : null,
    max: seen ? max : null,
    firstValue: values[0] as number,
    lastValue: values[count - 1] as number,
    firstStep: steps[0] as number,
    lastStep: steps[count - 1] as number,
  };
}

/** Reads a Float64 blob returned by SQLite (a Buffer, possibly unaligned). */
export function blobToFloat64(blob: Uint8Array): Float64Array {
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8);
  const out = new Float64Array(blob.byteLength / 8);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/**
 * Steps are stored as an empty blob when they are consecutive (step, step + 1, …), which is
 * how almost every metric is logged: half the bytes written, stored and read.
 */
export function encodeSteps(steps: Float64Array, count: number): Buffer {
  const first = steps[0] as number;
  for (let i = 1; i < count; i++) if (steps[i] !== first + i) return float64ToBlob(steps, count);
  return EMPTY;
}

export function decodeSteps(blob: Uint8Array, firstStep: number, count: number): Float64Array {
  if (blob.byteLength > 0) return blobToFloat64(blob);
  const steps = new Float64Array(count);
  for (let i = 0; i < count; i++) steps[i] = firstStep + i;
  return steps;
}

const EMPTY = Buffer.alloc(0);

export function float64ToBlob(values: Float64Array, count: number): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, count * 8);
}

/** The last, partly filled chunk of a series, kept in memory while batches append to it. */
export interface ChunkTail {
  seq: number;
  steps: Float64Array;
  values: Float64Array;
  count: number;
  /** Changed since it was last written. */
  dirty: boolean;
}

export function emptyChunkTail(seq: number): ChunkTail {
  return { seq, steps: new Float64Array(CHUNK_POINTS), values: new Float64Array(CHUNK_POINTS), count: 0, dirty: false };
}

/** Copies points from `from` on into the tail until it is full; returns how many it took. */
export function fillTail(tail: ChunkTail, steps: Float64Array, values: Float64Array, from: number): number {
  const take = Math.min(CHUNK_POINTS - tail.count, steps.length - from);
  tail.steps.set(steps.subarray(from, from + take), tail.count);
  tail.values.set(values.subarray(from, from + take), tail.count);
  tail.count += take;
  tail.dirty = true;
  return take;
}
