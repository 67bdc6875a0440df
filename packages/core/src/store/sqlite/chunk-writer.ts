import type Database from "better-sqlite3";
import { FIELDS, INDEX_PAGE_CHUNKS, packStats } from "../chunk-index.js";
import {
  blobToFloat64,
  CHUNK_POINTS,
  type ChunkStats,
  type ChunkTail,
  chunkStats,
  decodeSteps,
  emptyChunkTail,
  encodeSteps,
  fillTail,
  float64ToBlob,
} from "../chunks.js";
import { blobChecksum, pageChecksum, verifyChunkBlob, verifyPage } from "./checksums.js";

interface Tail extends ChunkTail {
  /** The blob row of this chunk once written (rewrites update it in place). */
  blobId: number | undefined;
}

/** The stats page a key is filling (see chunk-index.ts). */
interface IndexPage {
  page: number;
  stats: Float64Array;
  dirty: boolean;
}

/**
 * Appends points to per-key chunks. The last, partly filled chunk of each key (the tail)
 * is kept in memory and rewritten at the end of every batch, so readers always see
 * everything committed, while full chunks are written exactly once.
 */
export class ChunkWriter {
  private readonly tails = new Map<number, Tail>();
  private readonly pages = new Map<number, IndexPage>();
  private readonly insertBlob: Database.Statement;
  private readonly updateBlob: Database.Statement;
  private readonly upsertStats: Database.Statement;
  private readonly lastChunk: Database.Statement;
  private readonly upsertPage: Database.Statement;
  private readonly loadPage: Database.Statement;

  private readonly path: string;

  constructor(db: Database.Database) {
    this.path = db.name;
    this.upsertPage = db.prepare(
      `INSERT INTO series_index (key_id, page, stats, crc) VALUES (?, ?, ?, ?)
       ON CONFLICT (key_id, page) DO UPDATE SET stats = excluded.stats, crc = excluded.crc`,
    );
    this.loadPage = db.prepare("SELECT stats, crc FROM series_index WHERE key_id = ? AND page = ?");
    this.insertBlob = db.prepare("INSERT INTO series_blobs (steps, vals, crc) VALUES (?, ?, ?)");
    this.updateBlob = db.prepare("UPDATE series_blobs SET steps = ?, vals = ?, crc = ? WHERE id = ?");
    // An upsert, not INSERT OR REPLACE: a replace is a delete, which would free the blob.
    this.upsertStats = db.prepare(
      `INSERT INTO series_chunks (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, blob_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key_id, seq) DO UPDATE SET first_step = excluded.first_step, last_step = excluded.last_step,
         count = excluded.count, min = excluded.min, max = excluded.max, first_value = excluded.first_value,
         last_value = excluded.last_value, blob_id = excluded.blob_id`,
    );
    this.lastChunk = db.prepare(
      `SELECT c.seq AS seq, c.count AS count, c.first_step AS firstStep, c.blob_id AS blobId, b.steps AS steps, b.vals AS vals,
         b.crc AS crc
       FROM series_chunks c JOIN series_blobs b ON b.id = c.blob_id
       WHERE c.key_id = ? ORDER BY c.seq DESC LIMIT 1`,
    );
  }

  append(keyId: number, steps: Float64Array, values: Float64Array): void {
    let tail = this.tails.get(keyId) ?? this.loadTail(keyId);
    let i = 0;
    while (i < steps.length) {
      if (tail.count === 0 && steps.length - i >= CHUNK_POINTS) {
        // A whole chunk arrives at once: write it straight from the incoming column.
        this.writeChunk(
          keyId,
          tail.seq,
          undefined,
          steps.subarray(i, i + CHUNK_POINTS),
          values.subarray(i, i + CHUNK_POINTS),
          CHUNK_POINTS,
        );
        tail.seq++;
        i += CHUNK_POINTS;
        continue;
      }
      i += fillTail(tail, steps, values, i);
      if (tail.count === CHUNK_POINTS) {
        this.write(keyId, tail);
        tail = emptyTail(tail.seq + 1);
        this.tails.set(keyId, tail);
      }
    }
  }

  /** Writes every tail and stats page touched since the last call; call once per transaction. */
  flushTails(): void {
    for (const [keyId, tail] of this.tails) if (tail.dirty && tail.count > 0) this.write(keyId, tail);
    for (const [keyId, page] of this.pages) if (page.dirty) this.writePage(keyId, page);
  }

  /** Forget cached tails and pages (after a rewind or fork rewrote chunks underneath them). */
  reset(): void {
    this.tails.clear();
    this.pages.clear();
  }

  private write(keyId: number, tail: Tail): void {
    tail.blobId = this.writeChunk(keyId, tail.seq, tail.blobId, tail.steps, tail.values, tail.count);
    tail.dirty = false;
  }

  /** Writes (or rewrites) one chunk; returns its blob id. */
  private writeChunk(
    keyId: number,
    seq: number,
    blobId: number | undefined,
    steps: Float64Array,
    values: Float64Array,
    count: number,
  ): number {
    const stepsBlob = encodeSteps(steps, count);
    const valuesBlob = float64ToBlob(values, count);
    const crc = blobChecksum(stepsBlob, valuesBlob);
    let id = blobId;
    if (id === undefined) id = Number(this.insertBlob.run(stepsBlob, valuesBlob, crc).lastInsertRowid);
    else this.updateBlob.run(stepsBlob, valuesBlob, crc, id);
    const stats = chunkStats(steps, values, count);
    this.upsertStats.run(keyId, seq, stats.firstStep, stats.lastStep, count, stats.min, stats.max, stats.firstValue, stats.lastValue, id);
    this.indexChunk(keyId, seq, stats, id);
    return id;
  }

  /** Records a chunk's stats in its key's index page; a finished page is written at once. */
  indexChunk(keyId: number, seq: number, stats: ChunkStats, blobId: number): void {
    const pageNumber = Math.floor(seq / INDEX_PAGE_CHUNKS);
    let page = this.pages.get(keyId);
    if (page === undefined || page.page !== pageNumber) {
      if (page?.dirty) this.writePage(keyId, page);
      const stored = this.loadPage.get(keyId, pageNumber) as { stats: Buffer; crc: number | null } | undefined;
      const array = new Float64Array(INDEX_PAGE_CHUNKS * FIELDS);
      if (stored !== undefined) {
        verifyPage(this.path, stored.stats, stored.crc, `key ${keyId}`);
        array.set(blobToFloat64(stored.stats));
      }
      page = { page: pageNumber, stats: array, dirty: false };
      this.pages.set(keyId, page);
    }
    packStats(page.stats, seq % INDEX_PAGE_CHUNKS, { ...stats, seq, blobId });
    page.dirty = true;
  }

  private writePage(keyId: number, page: IndexPage): void {
    // Store only the used part of the page: slots after the highest written one are empty.
    let used = INDEX_PAGE_CHUNKS;
    while (used > 0 && page.stats[(used - 1) * FIELDS + 3] === 0) used--;
    const stats = float64ToBlob(page.stats, used * FIELDS);
    this.upsertPage.run(keyId, page.page, stats, pageChecksum(stats));
    page.dirty = false;
  }

  private loadTail(keyId: number): Tail {
    const row = this.lastChunk.get(keyId) as
      | { seq: number; count: number; firstStep: number; blobId: number; steps: Buffer; vals: Buffer; crc: number | null }
      | undefined;
    let tail = emptyTail(0);
    if (row !== undefined) {
      if (row.count < CHUNK_POINTS) {
        // Appending to a damaged tail would spread the damage into a chunk that looks fine.
        verifyChunkBlob(this.path, { id: row.blobId, steps: row.steps, vals: row.vals, crc: row.crc });
        tail = { ...emptyTail(row.seq), blobId: row.blobId, count: row.count };
        tail.steps.set(decodeSteps(row.steps, row.firstStep, row.count));
        tail.values.set(blobToFloat64(row.vals));
      } else {
        tail = emptyTail(row.seq + 1);
      }
    }
    this.tails.set(keyId, tail);
    return tail;
  }
}

function emptyTail(seq: number): Tail {
  return { ...emptyChunkTail(seq), blobId: undefined };
}
