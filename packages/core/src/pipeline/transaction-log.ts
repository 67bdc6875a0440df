import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { RunlogError } from "../errors.js";
import { type DamagedRange, FRAME_OVERHEAD, scanFrames } from "./frame.js";
import { type FileLayer, type LogFile, nodeFileLayer } from "./log-file.js";
import type { DecodedRecord } from "./records.js";

/** Every log file starts with this, so a stray file is never replayed. */
export const LOG_MAGIC = Buffer.from("RUNLOG1\n", "latin1");

/** Appended bytes not yet confirmed by fsync are kept (to rewrite after a failed fsync) up to this. */
const MAX_RETAINED_UNSYNCED = 32 * 1024 * 1024;
/** Past this many unsynced bytes an fsync starts early, so the retained bytes stay few. */
const EARLY_SYNC_BYTES = 8 * 1024 * 1024;

interface Unsynced {
  readonly offset: number;
  /** Null when over MAX_RETAINED_UNSYNCED: a failed fsync then leaves these bytes unverified. */
  readonly bytes: Uint8Array | null;
}

/**
 * Appends frames to a run's transaction log: the durable source of truth. Writes go
 * straight to the OS (a killed process loses nothing written); `fsync` runs on an
 * interval off the main thread, so a power cut loses at most that interval.
 *
 * Writes are positioned: a failed append leaves the log as it was (its partial bytes are cut, or
 * overwritten by the next append), so a full disk never leaves a hole or a torn frame mid-log.
 * Bytes written since the last good fsync are kept, so a failed fsync is repaired by rewriting them.
 */
export class TransactionLogWriter {
  private readonly file: LogFile;
  private position: number;
  private unsynced: Unsynced[] = [];
  private unsyncedBytes = 0;
  private syncing = false;
  private closed = false;
  /** The last fsync failed: the retained bytes must be rewritten and synced again (see repair). */
  syncFailure: Error | undefined;
  /** Bytes appended whose fsync failed while they were not retained: they may not be durable. */
  unverifiedBytes = 0;

  constructor(
    readonly path: string,
    layer: FileLayer = nodeFileLayer,
  ) {
    this.file = layer.open(path);
    this.position = this.file.initialSize;
  }

  get size(): number {
    return this.position;
  }

  /**
   * Appends bytes and returns the file offset they start at. Throws the system error when the
   * write fails (ENOSPC, EIO); the log is then unchanged, and the caller keeps the bytes to retry.
   */
  append(bytes: Uint8Array): number {
    if (this.closed) throw new RunlogError("STORE_ERROR", `Transaction log ${this.path} is closed.`);
    if (this.position === 0) this.writeAt(LOG_MAGIC, 0);
    const at = this.position;
    this.writeAt(bytes, at);
    const retain = this.unsyncedBytes + bytes.length <= MAX_RETAINED_UNSYNCED;
    this.unsynced.push({ offset: at, bytes: retain ? bytes : null });
    if (retain) this.unsyncedBytes += bytes.length;
    if (this.unsyncedBytes > EARLY_SYNC_BYTES) this.syncInBackground();
    return at;
  }

  private writeAt(bytes: Uint8Array, at: number): void {
    try {
      this.file.writeAt(bytes, at);
    } catch (error) {
      try {
        this.file.truncate(at); // best effort: an untruncated remainder is overwritten by the next append
      } catch {}
      throw error;
    }
    this.position = at + bytes.length;
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = this.file.readAt(out, done, length - done, offset + done);
      if (n === 0) throw new RunlogError("LOG_CORRUPT", `Transaction log ${this.path} is shorter than expected.`);
      done += n;
    }
    return out;
  }

  /** fsync in the thread pool; overlapping calls coalesce. Never throws: a failure is kept in `syncFailure`. */
  syncInBackground(): void {
    if (this.unsynced.length === 0 || this.syncing || this.closed || this.syncFailure !== undefined) return;
    const covered = this.unsynced.length;
    this.syncing = true;
    this.file.syncInBackground((error) => {
      this.syncing = false;
      if (error) this.syncFailure ??= error;
      else if (this.syncFailure === undefined) this.confirm(covered);
    });
  }

  /** Synchronous fsync (finish, exit). False when it failed; see `syncFailure`. Never throws. */
  syncNow(): boolean {
    if (this.closed) return this.syncFailure === undefined;
    if (this.syncFailure !== undefined) return this.repair();
    try {
      this.file.sync();
      this.confirm(this.unsynced.length);
      return true;
    } catch (error) {
      this.syncFailure = error as Error;
      return false;
    }
  }

  /**
   * After a failed fsync the kernel may have dropped the written pages: rewrite every byte written
   * since the last good fsync, then fsync again. True when the log is durable again.
   */
  repair(): boolean {
    if (this.syncFailure === undefined) return true;
    if (this.closed || this.syncing) return false;
    try {
      for (const entry of this.unsynced) if (entry.bytes !== null) this.file.writeAt(entry.bytes, entry.offset);
      this.file.sync();
    } catch (error) {
      this.syncFailure = error as Error;
      return false;
    }
    for (const entry of this.unsynced) if (entry.bytes === null) this.unverifiedBytes += this.lengthOf(entry);
    this.confirm(this.unsynced.length);
    this.syncFailure = undefined;
    return true;
  }

  private lengthOf(entry: Unsynced): number {
    const index = this.unsynced.indexOf(entry);
    const next = this.unsynced[index + 1];
    return (next === undefined ? this.position : next.offset) - entry.offset;
  }

  private confirm(count: number): void {
    for (const entry of this.unsynced.splice(0, count)) if (entry.bytes !== null) this.unsyncedBytes -= entry.bytes.length;
  }

  /** Syncs (or repairs) and closes. Never throws: whatever failed stays in `syncFailure`. */
  close(): void {
    if (this.closed) return;
    this.syncNow();
    this.closed = true;
    try {
      this.file.close();
    } catch {}
  }
}

/** Bytes of a log that held no valid frame, with the sequence numbers either side. */
export interface DamagedLogRange {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  /** The last intact record before the damage (undefined at the start of the log). */
  readonly afterSeq: number | undefined;
  /** The first intact record after it (undefined when none followed). */
  readonly beforeSeq: number | undefined;
}

export interface LogReadResult {
  /** Bytes at the end that did not form a valid frame (a torn write from a crash). */
  readonly tornBytes: number;
  /** Damage skipped mid-log (every intact record around it was still read). */
  readonly damaged: DamagedLogRange[];
}

const READ_CHUNK = 8 * 1024 * 1024;

/**
 * Reads a whole log. A torn tail is reported, not thrown: it is the normal result of a crash.
 * A damaged frame mid-log is skipped: reading resynchronises on the next frame that verifies, and
 * the skipped bytes are reported in `damaged`.
 */
export function readTransactionLog(path: string, onRecords: (records: DecodedRecord[]) => void): LogReadResult {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const damaged: DamagedLogRange[] = [];
    const head = Buffer.alloc(Math.min(size, LOG_MAGIC.length + FRAME_OVERHEAD + 8));
    readSync(fd, head, 0, head.length, 0);
    // Created, then the disk filled (or the power went) before the header was whole.
    if (size < LOG_MAGIC.length && LOG_MAGIC.subarray(0, size).equals(head)) return { tornBytes: size, damaged };
    let lastSeq: number | undefined;
    // Damage whose next intact record is not read yet.
    let open: { start: number; end: number; afterSeq: number | undefined }[] = [];
    // A damaged header is still a log when a valid frame follows it; a stray file has none.
    const suspect = !head.subarray(0, LOG_MAGIC.length).equals(LOG_MAGIC);
    const notALog = () => new RunlogError("LOG_CORRUPT", `${path} is not a runlog transaction log (bad header).`);
    if (suspect) open.push({ start: 0, end: LOG_MAGIC.length, afterSeq: undefined });
    let found = 0;
    const settle = (beforeSeq: number | undefined) => {
      for (const range of open) damaged.push({ file: path, ...range, beforeSeq });
      open = [];
    };
    let offset = LOG_MAGIC.length;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, size - LOG_MAGIC.length)));
    for (;;) {
      const n = offset < size ? readSync(fd, chunk, 0, Math.min(chunk.length, size - offset), offset) : 0;
      offset += n;
      const final = n === 0 || offset >= size;
      const buffer = carry.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
      const base = offset - buffer.length;
      const scan = scanFrames(buffer, { resync: true, final });
      let ranges = 0;
      scan.records.forEach((record, i) => {
        for (; ranges < scan.damaged.length && (scan.damaged[ranges] as DamagedRange).recordsBefore === i; ranges++) {
          const range = scan.damaged[ranges] as DamagedRange;
          open.push({ start: base + range.start, end: base + range.end, afterSeq: lastSeq });
        }
        settle(record.header.seq);
        lastSeq = record.header.seq;
      });
      for (const range of scan.damaged.slice(ranges)) open.push({ start: base + range.start, end: base + range.end, afterSeq: lastSeq });
      found += scan.records.length;
      if (scan.records.length > 0) onRecords(scan.records);
      if (final) {
        if (suspect && found === 0) throw notALog();
        settle(undefined);
        return { tornBytes: buffer.length - scan.consumed, damaged };
      }
      carry = Buffer.from(buffer.subarray(scan.consumed));
    }
  } finally {
    closeSync(fd);
  }
}
