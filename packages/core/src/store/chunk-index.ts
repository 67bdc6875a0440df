/**
 * Chunk stats as columns, the shape charts read. In the SQLite store they are packed
 * INDEX_PAGE_CHUNKS chunks per blob: FIELDS Float64 values per chunk, NaN for "none".
 */
export const INDEX_PAGE_CHUNKS = 256;
export const FIELDS = 8; // seq, firstStep, lastStep, count, min, max, lastValue, blobId

export interface ChunkInfos {
  readonly length: number;
  readonly seq: Float64Array;
  readonly firstStep: Float64Array;
  readonly lastStep: Float64Array;
  readonly count: Float64Array;
  /** NaN when the chunk holds only NaN values. */
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly lastValue: Float64Array;
  /** Where the store keeps the chunk's data (the SQLite store: a series_blobs row id). */
  readonly blobId: Float64Array;
}

export function emptyChunkInfos(capacity = 0): ChunkInfos {
  return {
    length: 0,
    seq: new Float64Array(capacity),
    firstStep: new Float64Array(capacity),
    lastStep: new Float64Array(capacity),
    count: new Float64Array(capacity),
    min: new Float64Array(capacity),
    max: new Float64Array(capacity),
    lastValue: new Float64Array(capacity),
    blobId: new Float64Array(capacity),
  };
}

/** Writes one chunk's stats into a page array at `slot`. */
export function packStats(
  page: Float64Array,
  slot: number,
  stats: {
    seq: number;
    firstStep: number;
    lastStep: number;
    count: number;
    min: number | null;
    max: number | null;
    lastValue: number;
    blobId: number;
  },
): void {
  const at = slot * FIELDS;
  page[at] = stats.seq;
  page[at + 1] = stats.firstStep;
  page[at + 2] = stats.lastStep;
  page[at + 3] = stats.count;
  page[at + 4] = stats.min ?? Number.NaN;
  page[at + 5] = stats.max ?? Number.NaN;
  page[at + 6] = stats.lastValue;
  page[at + 7] = stats.blobId;
}

/** Appends the chunks of `pages` (in order) that overlap [from, to]. */
export function unpackOverlapping(pages: readonly Float64Array[], from: number, to: number): ChunkInfos {
  let total = 0;
  for (const page of pages) total += page.length / FIELDS;
  const out = emptyChunkInfos(total);
  let n = 0;
  for (const page of pages) {
    for (let at = 0; at < page.length; at += FIELDS) {
      const count = page[at + 3] as number;
      if (count === 0 || (page[at + 2] as number) < from || (page[at + 1] as number) > to) continue;
      out.seq[n] = page[at] as number;
      out.firstStep[n] = page[at + 1] as number;
      out.lastStep[n] = page[at + 2] as number;
      out.count[n] = count;
      out.min[n] = page[at + 4] as number;
      out.max[n] = page[at + 5] as number;
      out.lastValue[n] = page[at + 6] as number;
      out.blobId[n] = page[at + 7] as number;
      n++;
    }
  }
  // Trimmed views: every column's length is the chunk count.
  return {
    length: n,
    seq: out.seq.subarray(0, n),
    firstStep: out.firstStep.subarray(0, n),
    lastStep: out.lastStep.subarray(0, n),
    count: out.count.subarray(0, n),
    min: out.min.subarray(0, n),
    max: out.max.subarray(0, n),
    lastValue: out.lastValue.subarray(0, n),
    blobId: out.blobId.subarray(0, n),
  };
}
