import type Database from "better-sqlite3";
import { CHUNK_POINTS, blobToFloat64, chunkStats, float64ToBlob } from "../chunks.js";

interface Tail {
  seq: number;
  steps: Float64Array;
  values: Float64Array;
  count: number;
  dirty: boolean;
}

/**
 * Appends points to per-key chunks. The last, partly filled chunk of each key (the tail)
 * is kept in memory and rewritten at the end of every batch, so readers always see
 * everything committed while full chunks are written exactly once.
 */
export class ChunkWriter {
  private readonly tails = new Map<number, Tail>();
  private readonly insertChunk: Database.Statement;
  private readonly lastChunk: Database.Statement;

  constructor(db: Database.Database) {
    this.insertChunk = db.prepare(
      `INSERT OR REPLACE INTO series_chunks
         (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps, vals)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.lastChunk = db.prepare(
      "SELECT seq, count, steps, vals FROM series_chunks WHERE key_id = ? ORDER BY seq DESC LIMIT 1",
    );
  }

  append(keyId: number, steps: Float64Array, values: Float64Array): void {
    let tail = this.tails.get(keyId) ?? this.loadTail(keyId);
    let i = 0;
    while (i < steps.length) {
      const take = Math.min(CHUNK_POINTS - tail.count, steps.length - i);
      tail.steps.set(steps.subarray(i, i + take), tail.count);
      tail.values.set(values.subarray(i, i + take), tail.count);
      tail.count += take;
      tail.dirty = true;
      i += take;
      if (tail.count === CHUNK_POINTS) {
        this.write(keyId, tail);
        tail = { seq: tail.seq + 1, steps: new Float64Array(CHUNK_POINTS), values: new Float64Array(CHUNK_POINTS), count: 0, dirty: false };
        this.tails.set(keyId, tail);
      }
    }
  }

  /** Writes every tail touched since the last call; call once per transaction. */
  flushTails(): void {
    for (const [keyId, tail] of this.tails) if (tail.dirty && tail.count > 0) this.write(keyId, tail);
  }

  /** Forget cached tails (after a rewind deletes chunks underneath them). */
  reset(): void {
    this.tails.clear();
  }

  private write(keyId: number, tail: Tail): void {
    const stats = chunkStats(tail.steps, tail.values, tail.count);
    this.insertChunk.run(
      keyId,
      tail.seq,
      stats.firstStep,
      stats.lastStep,
      stats.count,
      stats.min,
      stats.max,
      stats.firstValue,
      stats.lastValue,
      float64ToBlob(tail.steps, tail.count),
      float64ToBlob(tail.values, tail.count),
    );
    tail.dirty = false;
  }

  private loadTail(keyId: number): Tail {
    const row = this.lastChunk.get(keyId) as { seq: number; count: number; steps: Buffer; vals: Buffer } | undefined;
    const tail: Tail = { seq: 0, steps: new Float64Array(CHUNK_POINTS), values: new Float64Array(CHUNK_POINTS), count: 0, dirty: false };
    if (row !== undefined) {
      if (row.count < CHUNK_POINTS) {
        tail.seq = row.seq;
        tail.steps.set(blobToFloat64(row.steps));
        tail.values.set(blobToFloat64(row.vals));
        tail.count = row.count;
      } else {
        tail.seq = row.seq + 1;
      }
    }
    this.tails.set(keyId, tail);
    return tail;
  }
}
