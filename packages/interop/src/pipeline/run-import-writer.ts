import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { RunlogError } from "@runlog/core";
import {
  acquireRunLock,
  encodeFrames,
  type HeaderOf,
  listRunLogs,
  type RecordKindName,
  RUN_FILE,
  type RunLock,
  resolveInside,
  runFolder,
  type SyncResult,
  syncRunDir,
  TransactionLogWriter,
} from "@runlog/core/store-kit";
import { HistoryBuilder, OBJECT_ROWS_PER_FRAME, ROWS_PER_FRAME } from "./history-builder.js";
import { type PriorImport, readPriorImport, type Stream } from "./prior-import.js";

export interface ImportTarget {
  /** The runlog root (its store and run folders). */
  readonly root: string;
  readonly entity: string;
  readonly project: string;
  readonly id: string;
}

type Draft<K extends RecordKindName> = Omit<HeaderOf<K>, "seq" | "t">;
type Part = { kind: RecordKindName; header: object; body?: Float64Array[] };

/** Encoded frames are appended in batches of about this many bytes. */
const APPEND_BYTES = 4 * 1024 * 1024;
/**
 * The log is fsynced after about this many appended bytes. An import runs synchronously, so the
 * log's background fsync never reports back and the log keeps up to 32 MB of unsynced bytes (to
 * rewrite after a failed fsync); syncing here keeps that to this much.
 */
const SYNC_BYTES = 16 * 1024 * 1024;

/**
 * Writes one imported run through the normal run pipeline: records go to the run's transaction
 * log (`attempt-NNNN.rlog`, one per source attempt), then `syncRunDir` applies them to the store.
 *
 * Importing again adds only what is new. A mapper turns the same source into the same records in
 * the same order, so the first K records other than history that the run's logs already hold are
 * skipped, and so is every history row at or before the stream's last imported step. Importing
 * again writes and applies nothing; an import killed halfway continues where its log ends (a torn
 * tail is cut first); a source that grew at its end gets the new rows. Rows that appeared in the
 * middle of what was imported cannot be put between imported rows: they are counted in `skipped`.
 */
export class RunImportWriter {
  private readonly lock: RunLock;
  private readonly prior: PriorImport;
  private seq = 0;
  /** Records other than history pushed so far (compared with the prior import's count). */
  private ordinal = 0;
  /** Rows (and their points) of this import at or before the prior import's last step, per stream. */
  private readonly covered: Record<Stream, { rows: number; points: number }> = {
    history: { rows: 0, points: 0 },
    system: { rows: 0, points: 0 },
  };
  private log: TransactionLogWriter | undefined;
  private pending: Part[] = [];
  /** The log's size at its last fsync here. */
  private syncedAt = 0;
  private pendingBytes = 0;
  private readonly history = new HistoryBuilder("history");
  private readonly system = new HistoryBuilder("system");
  written = 0;
  points = 0;
  /** Timestamp (ms) given to records that carry none of their own: the last one seen. */
  private clock = 0;

  readonly dir: string;

  constructor(readonly target: ImportTarget) {
    this.dir = runFolder(target.root, target);
    mkdirSync(join(this.dir, "files"), { recursive: true });
    this.lock = acquireRunLock(join(this.dir, "run.lock"));
    try {
      writeFileSync(join(this.dir, RUN_FILE), JSON.stringify({ entity: target.entity, project: target.project, id: target.id }));
      this.prior = readPriorImport(this.dir);
      this.seq = this.prior.lastSeq;
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  /** Starts the log of source attempt `attempt` (0 for the first; a resumed W&B run has more). */
  startAttempt(attempt: number): void {
    this.flushAll();
    this.log?.close();
    this.log = undefined;
    this.syncedAt = 0;
    this.attempt = attempt;
  }
  private attempt = 0;

  /** Pushes one record; its seq is its position in the import. */
  push<K extends RecordKindName>(kind: K, header: Draft<K>, timeMs?: number): void {
    this.flushHistory();
    this.add({ kind, header }, timeMs);
  }

  /** Adds a history row (`_step` = step) or a system sample (keyed by `_runtime` seconds). */
  row(stream: "history" | "system", step: number, values: Record<string, unknown>, timeMs: number): void {
    const builder = stream === "history" ? this.history : this.system;
    if (step <= this.prior.streams[stream].lastStep) {
      const count = Object.keys(values).length;
      this.points += count;
      this.covered[stream].rows++;
      this.covered[stream].points += count;
      return;
    }
    this.points += builder.addRow(step, values, timeMs);
    if (builder.rows >= ROWS_PER_FRAME || builder.objectRows >= OBJECT_ROWS_PER_FRAME) this.flushBuilder(builder);
  }

  /**
   * Copies a source file into the run's files folder and records it (like `run.save`).
   * Returns false when the source file is missing.
   */
  copyFile(relativePath: string, source: string, timeMs?: number): boolean {
    if (!existsSync(source)) return false;
    const destination = resolveInside(join(this.dir, "files"), relativePath, "imported file");
    mkdirSync(dirname(destination), { recursive: true });
    copyFileSync(source, destination);
    this.push("file", { path: relativePath, size: statSync(destination).size }, timeMs);
    return true;
  }

  /** Writes `bytes` as a run file (console output rebuilt from the source) and records it. */
  writeFile(relativePath: string, bytes: string | Uint8Array, timeMs?: number): void {
    const destination = resolveInside(join(this.dir, "files"), relativePath, "imported file");
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, bytes);
    this.push("file", { path: relativePath, size: statSync(destination).size }, timeMs);
  }

  /**
   * Rows the source now has at or before the last step imported earlier, beyond those imported
   * then: they appeared in the middle of an imported series and were not imported (undefined: none).
   */
  get skipped(): { rows: number; points: number; throughStep: number } | undefined {
    const history = this.prior.streams.history;
    const rows = this.covered.history.rows - history.rows + this.covered.system.rows - this.prior.streams.system.rows;
    const points = this.covered.history.points - history.points + this.covered.system.points - this.prior.streams.system.points;
    if (rows <= 0 && points <= 0) return undefined;
    return { rows: Math.max(0, rows), points: Math.max(0, points), throughStep: history.lastStep };
  }

  /** Writes what is pending, closes the log, releases the run and applies its records to the store. */
  finish(): SyncResult {
    try {
      this.flushAll();
      if (this.log !== undefined) {
        this.log.close();
        if (this.log.syncFailure !== undefined) {
          throw new RunlogError("PERSIST_FAILED", `Cannot make ${this.log.path} durable (${this.log.syncFailure.message}); import again.`);
        }
      }
    } finally {
      this.lock.release();
    }
    if (listRunLogs(this.dir).length === 0) {
      // Nothing importable (the source failed before its first record): leave no empty run behind.
      rmSync(this.dir, { recursive: true, force: true });
      return { runDir: this.dir, files: 0, records: 0, applied: 0, tornBytes: 0, damaged: [] };
    }
    return syncRunDir(this.dir, { root: this.target.root });
  }

  /** Releases the run without applying anything (an import that failed); what was written stays and is continued next time. */
  abandon(): void {
    try {
      this.flushAll();
      this.log?.close();
    } finally {
      this.lock.release();
    }
  }

  private add(part: Part, timeMs: number | undefined): void {
    if (timeMs !== undefined && Number.isFinite(timeMs)) this.clock = Math.max(this.clock, timeMs);
    if (part.kind !== "history" && ++this.ordinal <= this.prior.records) return;
    this.seq++;
    const header = { seq: this.seq, t: this.clock, ...part.header };
    this.pending.push({ ...part, header });
    // Rows of non-scalar values (media, histograms) count as 1 KiB each: measuring their JSON would
    // cost what batching saves, and uncounted they let a long import of them pile up in memory.
    const objectRows = part.kind === "history" ? ((part.header as { rows?: readonly unknown[] }).rows?.length ?? 0) : 0;
    this.pendingBytes += 256 + objectRows * 1024 + (part.body?.reduce((sum, column) => sum + column.byteLength, 0) ?? 0);
    if (this.pendingBytes >= APPEND_BYTES) this.flushPending();
  }

  private flushBuilder(builder: HistoryBuilder): void {
    if (builder.rows === 0) return;
    const time = builder.lastTime;
    const { header, body } = builder.take();
    this.add({ kind: "history", header, body }, time);
  }

  private flushHistory(): void {
    this.flushBuilder(this.history);
    this.flushBuilder(this.system);
  }

  private flushAll(): void {
    this.flushHistory();
    this.flushPending();
  }

  private flushPending(): void {
    if (this.pending.length === 0) return;
    this.log ??= new TransactionLogWriter(join(this.dir, `attempt-${String(this.attempt).padStart(4, "0")}.rlog`));
    this.log.append(encodeFrames(this.pending));
    if (this.log.size - this.syncedAt >= SYNC_BYTES) {
      this.log.syncNow(); // a failure is kept in syncFailure, which finish() reports
      this.syncedAt = this.log.size;
    }
    this.written += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
