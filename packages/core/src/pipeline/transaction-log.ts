import { closeSync, fstatSync, fsync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { RunlogError } from "../errors.js";
import { scanFrames } from "./frame.js";
import type { DecodedRecord } from "./records.js";

/** Every log file starts with this, so a stray file is never replayed. */
export const LOG_MAGIC = Buffer.from("RUNLOG1\n", "latin1");

/**
 * Appends frames to a run's transaction log: the durable source of truth. Writes go
 * straight to the OS (a killed process loses nothing written); `fsync` runs on an
 * interval off the main thread, so a power cut loses at most that interval.
 */
export class TransactionLogWriter {
  private readonly fd: number;
  private position: number;
  private unsynced = false;
  private syncing = false;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a+");
    this.position = fstatSync(this.fd).size;
    if (this.position === 0) this.append(LOG_MAGIC);
  }

  get size(): number {
    return this.position;
  }

  /** Appends bytes and returns the file offset they start at. */
  append(bytes: Uint8Array): number {
    const at = this.position;
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    this.position += bytes.length;
    this.unsynced = true;
    return at;
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new RunlogError("LOG_CORRUPT", `Transaction log ${this.path} is shorter than expected.`);
      done += n;
    }
    return out;
  }

  /** fsync in the thread pool; overlapping calls coalesce. */
  syncInBackground(): void {
    if (!this.unsynced || this.syncing || this.closed) return;
    this.unsynced = false;
    this.syncing = true;
    fsync(this.fd, () => {
      this.syncing = false;
    });
  }

  syncNow(): void {
    if (this.closed) return;
    fsyncSync(this.fd);
    this.unsynced = false;
  }

  close(): void {
    if (this.closed) return;
    this.syncNow();
    this.closed = true;
    closeSync(this.fd);
  }
}

export interface LogReadResult {
  readonly records: DecodedRecord[];
  /** Bytes at the end that did not form a valid frame (a torn write from a crash). */
  readonly tornBytes: number;
}

/** Reads a whole log. A torn tail is reported, not thrown: it is the normal result of a crash. */
export function readTransactionLog(path: string, onRecords: (records: DecodedRecord[]) => void): { tornBytes: number } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const magic = Buffer.alloc(LOG_MAGIC.length);
    if (size < LOG_MAGIC.length || readSync(fd, magic, 0, magic.length, 0) !== magic.length || !magic.equals(LOG_MAGIC)) {
      throw new RunlogError("LOG_CORRUPT", `${path} is not a runlog transaction log (bad header).`);
    }
    let offset = LOG_MAGIC.length;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
    while (offset < size) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, size - offset), offset);
      if (n === 0) break;
      offset += n;
      const buffer = carry.length === 0 ? chunk.subarray(0, n) : Buffer.concat([carry, chunk.subarray(0, n)]);
      const scan = scanFrames(buffer);
      if (scan.records.length > 0) onRecords(scan.records);
      if (scan.stoppedBy === "corrupt") return { tornBytes: size - (offset - buffer.length + scan.consumed) };
      carry = Buffer.from(buffer.subarray(scan.consumed));
    }
    return { tornBytes: carry.length };
  } finally {
    closeSync(fd);
  }
}
