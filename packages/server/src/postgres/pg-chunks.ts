import {
  blobToFloat64,
  CHUNK_POINTS,
  type ChunkTail,
  chunkStats,
  decodeSteps,
  emptyChunkTail,
  encodeSteps,
  fillTail,
} from "@runlog/core/store-kit";
import type { PoolClient } from "pg";

/** A tail with no points holds no arrays: most chunks of a batch are whole slices of its columns and never need one. */
const NO_POINTS = new Float64Array(0);
const unfilledTail = (seq: number): ChunkTail => ({ seq, steps: NO_POINTS, values: NO_POINTS, count: 0, dirty: false });

interface ChunkRow {
  keyId: number;
  seq: number;
  steps: Float64Array;
  values: Float64Array;
  count: number;
}

/**
 * Appends points to per-key chunks for one batch. Unlike the embedded store's ChunkWriter it
 * caches nothing between batches: another server instance may have written the run's last
 * batch. Tails are read in one query per history record and every chunk is written in one
 * multi-row upsert at the end of the batch.
 */
export class PgChunkBatch {
  private readonly tails = new Map<number, ChunkTail>();
  private readonly full: ChunkRow[] = [];

  constructor(private readonly client: PoolClient) {}

  /** Reads the last chunk of each key not yet seen in this batch. */
  async load(keyIds: readonly number[]): Promise<void> {
    const missing = keyIds.filter((id) => !this.tails.has(id));
    if (missing.length === 0) return;
    const { rows } = await this.client.query<{
      key_id: number;
      seq: number;
      count: number;
      first_step: number;
      steps: Buffer;
      vals: Buffer;
    }>(
      `SELECT DISTINCT ON (key_id) key_id, seq, count, first_step, steps, vals FROM series_chunks
       WHERE key_id = ANY($1::bigint[]) ORDER BY key_id, seq DESC`,
      [missing],
    );
    for (const id of missing) this.tails.set(id, unfilledTail(0));
    for (const row of rows) {
      if (row.count >= CHUNK_POINTS) {
        this.tails.set(row.key_id, unfilledTail(row.seq + 1));
        continue;
      }
      const tail = emptyChunkTail(row.seq);
      tail.steps.set(decodeSteps(row.steps, row.first_step, row.count));
      tail.values.set(blobToFloat64(row.vals));
      tail.count = row.count;
      this.tails.set(row.key_id, tail);
    }
  }

  /**
   * `load` must have seen `keyId`. A whole chunk's worth of points that starts a chunk is written
   * as a slice of the record's columns (they live until `flush`, in the same request); only the
   * points around them are copied into a tail. Copying every point into fresh 16 KiB tails was a
   * quarter of the server's ingest time, most of it the garbage collector's.
   */
  append(keyId: number, steps: Float64Array, values: Float64Array): void {
    let tail = this.tails.get(keyId) as ChunkTail;
    let i = 0;
    while (i < steps.length) {
      if (tail.count === 0 && steps.length - i >= CHUNK_POINTS) {
        const end = i + CHUNK_POINTS;
        this.full.push({ keyId, seq: tail.seq, steps: steps.subarray(i, end), values: values.subarray(i, end), count: CHUNK_POINTS });
        tail = unfilledTail(tail.seq + 1);
        this.tails.set(keyId, tail);
        i = end;
        continue;
      }
      if (tail.steps.length === 0) {
        tail = emptyChunkTail(tail.seq);
        this.tails.set(keyId, tail);
      }
      i += fillTail(tail, steps, values, i);
      if (tail.count === CHUNK_POINTS) {
        this.full.push({ keyId, seq: tail.seq, steps: tail.steps, values: tail.values, count: CHUNK_POINTS });
        tail = unfilledTail(tail.seq + 1);
        this.tails.set(keyId, tail);
      }
    }
  }

  /** Writes every chunk this batch filled or changed, in one statement. */
  async flush(): Promise<void> {
    const rows = [...this.full];
    for (const [keyId, tail] of this.tails) if (tail.dirty && tail.count > 0) rows.push({ keyId, ...tail });
    this.full.length = 0;
    for (const tail of this.tails.values()) tail.dirty = false;
    if (rows.length > 0) await writeChunks(this.client, rows);
  }

  /** Forget loaded tails (after a rewind or fork rewrote chunks underneath them). */
  reset(): void {
    this.tails.clear();
    this.full.length = 0;
  }
}

/**
 * Upserts chunks (key, seq) with their stats; `count` points of each are kept. The points of
 * every chunk travel as one binary bytea parameter sliced in SQL: a bytea[] parameter would go
 * as hex text inside an array literal, twice the bytes and a parse on both sides.
 */
export async function writeChunks(client: PoolClient, chunks: readonly ChunkRow[]): Promise<void> {
  const columns: unknown[][] = Array.from({ length: 13 }, () => []);
  const parts: Buffer[] = [];
  let offset = 1; // substring() counts from 1
  for (const chunk of chunks) {
    const stats = chunkStats(chunk.steps, chunk.values, chunk.count);
    const steps = encodeSteps(chunk.steps, chunk.count);
    const values = Buffer.from(chunk.values.buffer, chunk.values.byteOffset, chunk.count * 8);
    parts.push(steps, values);
    const row = [
      chunk.keyId,
      chunk.seq,
      stats.firstStep,
      stats.lastStep,
      chunk.count,
      stats.min,
      stats.max,
      stats.firstValue,
      stats.lastValue,
      offset,
      steps.length,
      offset + steps.length,
      values.length,
    ];
    offset += steps.length + values.length;
    row.forEach((value, i) => {
      (columns[i] as unknown[]).push(value);
    });
  }
  await client.query(
    `INSERT INTO series_chunks (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps, vals)
     SELECT c.key_id, c.seq, c.first_step, c.last_step, c.count, c.min, c.max, c.first_value, c.last_value,
            substring($14::bytea from c.steps_at for c.steps_len), substring($14::bytea from c.vals_at for c.vals_len)
     FROM unnest($1::bigint[], $2::int[], $3::float8[], $4::float8[], $5::int[], $6::float8[], $7::float8[], $8::float8[],
                 $9::float8[], $10::int[], $11::int[], $12::int[], $13::int[])
       AS c (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps_at, steps_len, vals_at, vals_len)
     ON CONFLICT (key_id, seq) DO UPDATE SET first_step = excluded.first_step, last_step = excluded.last_step,
       count = excluded.count, min = excluded.min, max = excluded.max, first_value = excluded.first_value,
       last_value = excluded.last_value, steps = excluded.steps, vals = excluded.vals`,
    [...columns, Buffer.concat(parts)],
  );
}
