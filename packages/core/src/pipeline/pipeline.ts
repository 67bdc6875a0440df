import { RunlogError } from "../errors.js";
import { encodeFrames, type FramePart } from "./frame.js";
import { HistoryBatch } from "./history-batch.js";
import type { FileLayer } from "./log-file.js";
import { type LossReport, PersistBacklog } from "./persist-backlog.js";
import type { HeaderDraft, RecordKindName } from "./records.js";
import { writeFileNow } from "./run-file-writer.js";
import { Sender } from "./sender.js";
import type { Sink } from "./sink.js";
import { TransactionLogWriter } from "./transaction-log.js";

/**
 * Seal at least this often (and at least twice per flushInterval, the durability bound), so the store and the
 * dashboard stay live. Each seal is one store transaction; 250 ms keeps a training loop's
 * threads free (bench/tfjs.mjs) while charts still update four times a second.
 */
const SEAL_INTERVAL_MS = 250;
/** Seal early when a batch grows this big, so a tight synchronous loop stays bounded too. */
export const SEAL_POINTS = 50_000;
/** Sealed bytes kept in memory while the log refuses writes (a full disk); beyond, history is shed. */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;
/** While degraded, the log is retried at most this often. */
const RETRY_MS = 250;

/** Whether the run's data is reaching its transaction log; `degraded` comes with why and what waits. */
export interface PersistenceStatus {
  readonly state: "ok" | "degraded";
  /** The failure that made it degraded (e.g. "ENOSPC: no space left on device, write"). */
  readonly reason?: string;
  /** Sealed bytes waiting in memory for the log. */
  readonly backlogBytes: number;
  /** What was shed so far to keep the backlog bounded. */
  readonly lost: LossReport;
}

export interface PipelineOptions {
  readonly logPath: string;
  readonly sink: Sink | undefined;
  readonly firstSeq: number;
  readonly flushIntervalSeconds: number;
  /** Called at every seal, before encoding: the run adds config/summary changes here. */
  readonly beforeSeal: () => void;
  /** The run's highest committed step, stored with each history batch. */
  readonly lastStep: () => number;
  readonly onSinkError: (error: Error) => void;
  /** Says once that persistence is failing, and once that it recovered. */
  readonly warn: (message: string) => void;
  /** The file layer the log writes through (tests inject faults). */
  readonly fileLayer?: FileLayer;
  readonly maxBacklogBytes?: number;
}

/**
 * Writer + sender of one run: records are sealed into frames, appended to the transaction
 * log (durable the moment `writeSync` returns), then handed to the sink off-thread.
 */
export class RunPipeline {
  readonly history = new HistoryBatch("history");
  readonly system = new HistoryBatch("system");
  readonly sender: Sender;
  private readonly log: TransactionLogWriter;
  private readonly queued: [RecordKindName, object][] = [];
  private seq: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly backlog: PersistBacklog;
  /** The failure the run is degraded by; undefined while the log takes every write. */
  private failure: Error | undefined;
  private lastRetryAt = 0;
  /** Media files the disk refused, waiting (bounded) to be written again; and those given up. */
  private readonly pendingFiles: { path: string; bytes: Uint8Array }[] = [];
  private pendingFileBytes = 0;
  private readonly lostFiles: string[] = [];
  lastSyncAt: number | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.log = new TransactionLogWriter(options.logPath, options.fileLayer);
    this.sender = new Sender(this.log, options.sink);
    this.backlog = new PersistBacklog(options.maxBacklogBytes ?? MAX_BACKLOG_BYTES);
    this.seq = options.firstSeq;
    if (options.sink) {
      let warned = false;
      options.sink.onError = (error) => {
        // A passing failure of a sink that can resume is retried (the log holds everything); others give it up.
        const retryable = (error as { details?: { retryable?: unknown } }).details?.retryable === true;
        if (!retryable || !this.sender.retryLater()) this.sender.fail();
        if (!warned) options.onSinkError(error);
        warned = true;
      };
      this.sender.onRecovered = () => {
        warned = false;
      };
    }
  }

  get persistence(): PersistenceStatus {
    const failure = this.failure;
    return {
      state: failure === undefined ? "ok" : "degraded",
      ...(failure === undefined ? {} : { reason: failure.message }),
      backlogBytes: this.backlog.bytes,
      lost: this.backlog.lost.report(),
    };
  }

  start(): void {
    const seal = setInterval(() => this.seal(), Math.min(SEAL_INTERVAL_MS, (this.options.flushIntervalSeconds * 1000) / 2));
    const sync = setInterval(() => this.tick(), this.options.flushIntervalSeconds * 1000);
    for (const timer of [seal, sync]) {
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** The fsync timer's work: repairs a failed fsync (see TransactionLogWriter.repair), starts the next one. */
  tick(): void {
    if (this.log.syncFailure !== undefined) this.retry();
    this.log.syncInBackground();
    this.lastSyncAt = Date.now();
  }

  /** Queues a record for the next seal (records keep their order). */
  push<K extends RecordKindName>(kind: K, header: HeaderDraft<K>): void {
    this.queued.push([kind, header]);
  }

  get nextSeq(): number {
    return this.seq;
  }

  /** Encodes everything pending into one segment, writes it to the log and sends it on. Never throws an I/O error. */
  seal(): void {
    this.options.beforeSeal();
    if (this.failure !== undefined && Date.now() - this.lastRetryAt >= RETRY_MS) this.retry();
    if (this.queued.length === 0 && this.history.isEmpty && this.system.isEmpty) return;
    const t = Date.now();
    const parts: FramePart[] = [];
    let points = 0;
    // History first, then the summary changes that describe it, then exit records: a torn or shed
    // segment can lose a summary change but never leave one claiming steps the history lacks.
    const last = this.queued.filter(([kind]) => kind === "summary" || kind === "exit");
    for (const [kind, header] of this.queued) {
      if (kind !== "exit" && kind !== "summary") parts.push({ kind, header: { seq: this.seq++, t, ...header } });
    }
    this.queued.length = 0;
    const batches = [this.history, this.system].filter((batch) => !batch.isEmpty);
    for (const batch of batches) {
      points += batch.points;
      parts.push(batch.takePart(this.seq++, t, this.options.lastStep()));
    }
    for (const kind of ["summary", "exit"] as const) {
      for (const [k, header] of last) if (k === kind) parts.push({ kind, header: { seq: this.seq++, t, ...header } });
    }
    const segment = encodeFrames(parts);
    for (const batch of batches) batch.reset();
    const pending = { bytes: segment, lastSeq: this.seq - 1, items: points + parts.length };
    if (!this.backlog.isEmpty || !this.write(pending)) this.backlog.push(pending);
  }

  /** Appends one segment and hands it to the sender; false (and degraded) when the log refused it. */
  private write(segment: { bytes: Buffer; lastSeq: number; items: number }): boolean {
    let offset: number;
    try {
      offset = this.log.append(segment.bytes);
    } catch (error) {
      this.degrade(error as Error);
      return false;
    }
    this.sender.enqueue(segment.lastSeq, offset, segment.bytes, segment.items);
    return true;
  }

  private degrade(error: Error, what = `the transaction log ${this.options.logPath}`): void {
    if (this.failure === undefined) {
      this.options.warn(
        `cannot write ${what} (${error.message}). Logging continues: up to ${Math.round(
          (this.options.maxBacklogBytes ?? MAX_BACKLOG_BYTES) / 2 ** 20,
        )} MiB wait in memory and are written when the disk takes them again; finish() reports anything lost.`,
      );
    }
    this.failure = error;
    this.lastRetryAt = Date.now();
  }

  /** Writes a media file of the run; on a full disk it waits in memory (bounded) like a sealed segment. */
  writeFile(path: string, bytes: Uint8Array): void {
    if (this.pendingFiles.length === 0) {
      try {
        writeFileNow(path, bytes);
        return;
      } catch (error) {
        this.degrade(error as Error, `media file ${path}`);
      }
    }
    if (this.pendingFileBytes + bytes.byteLength > (this.options.maxBacklogBytes ?? MAX_BACKLOG_BYTES)) {
      this.lostFiles.push(path);
      return;
    }
    this.pendingFiles.push({ path, bytes: Uint8Array.from(bytes) });
    this.pendingFileBytes += bytes.byteLength;
  }

  /** Tries to write the backlog (and repair a failed fsync); leaves the degraded state when all of it is on disk. */
  retry(): boolean {
    this.lastRetryAt = Date.now();
    while (this.pendingFiles.length > 0) {
      const file = this.pendingFiles[0] as { path: string; bytes: Uint8Array };
      try {
        writeFileNow(file.path, file.bytes);
      } catch (error) {
        this.degrade(error as Error, `media file ${file.path}`);
        return false;
      }
      this.pendingFiles.shift();
      this.pendingFileBytes -= file.bytes.byteLength;
    }
    if (this.log.syncFailure !== undefined && !this.log.repair()) {
      this.degrade(this.log.syncFailure);
      return false;
    }
    while (!this.backlog.isEmpty) {
      if (!this.write(this.backlog.segments[0] as { bytes: Buffer; lastSeq: number; items: number })) return false;
      this.backlog.shift();
    }
    if (this.failure !== undefined && this.backlog.isEmpty) {
      this.failure = undefined;
      const lost = this.backlog.lost;
      this.options.warn(
        `the transaction log takes writes again${lost.isEmpty ? "; nothing was lost" : `; ${lost.points} points were lost while it did not (finish() lists them)`}.`,
      );
    }
    return true;
  }

  /**
   * What the run could not persist, as the error finish() rejects with; undefined when everything
   * reached the transaction log. Call after drain(): what is still in the backlog then counts as lost.
   */
  lossError(): RunlogError | undefined {
    if (this.failure !== undefined || this.log.syncFailure !== undefined) this.backlog.abandon();
    const files = [...this.lostFiles, ...this.pendingFiles.map((file) => file.path)];
    const report = this.backlog.lost.report();
    const unverified = this.log.unverifiedBytes;
    if (report.records === 0 && unverified === 0 && files.length === 0 && this.log.syncFailure === undefined) return undefined;
    const reason = (this.failure ?? this.log.syncFailure)?.message;
    const steps = report.steps.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(", ");
    return new RunlogError(
      "PERSIST_FAILED",
      `Run data could not be saved to ${this.options.logPath}${reason ? ` (${reason})` : ""}: ${report.points} points in ${report.records} records were not persisted${
        steps ? ` (steps ${steps})` : ""
      }${files.length > 0 ? `, and ${files.length} media file(s) were not written (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""})` : ""}${
        unverified > 0 ? `, and ${unverified} written bytes could not be confirmed by fsync` : ""
      }${
        this.log.syncFailure ? "; the last fsync failed, so recent writes may not survive a power cut" : ""
      }. Everything else is saved; free disk space before the next run.`,
      { details: { ...report, files, unverifiedBytes: unverified, ...(reason ? { reason } : {}) } },
    );
  }

  /** Seals, fsyncs, and waits for the log and the sink (retrying both); reports progress while it waits. */
  async drain(timeoutMs: number, onProgress: (pendingPoints: number) => void): Promise<boolean> {
    this.seal();
    const deadline = Date.now() + timeoutMs;
    let progressAt = Date.now();
    for (;;) {
      const written = (this.backlog.isEmpty && this.pendingFiles.length === 0 && this.log.syncFailure === undefined) || this.retry();
      if (written) {
        this.log.syncNow();
        this.lastSyncAt = Date.now();
      }
      const left = deadline - Date.now();
      if (written && this.log.syncFailure === undefined) {
        if (left <= 0 || this.sender.failed) return false;
        if (await this.sender.idle(Math.min(left, 2_000))) return true;
      } else {
        if (left <= 0) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, RETRY_MS)));
      }
      if (Date.now() - progressAt >= 2_000) {
        progressAt = Date.now();
        onProgress(this.sender.pendingPoints + Math.round(this.backlog.bytes / 8));
      }
    }
  }

  /** Synchronous last resort at process exit: everything pending goes to the log. Never throws an I/O error. */
  sealAndSyncNow(): void {
    this.seal();
    if (this.failure !== undefined || this.log.syncFailure !== undefined) this.retry();
    this.log.syncNow();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
  }

  closeLog(): void {
    this.stop();
    this.sender.fail(); // no redelivery from a closed log; `runlog sync` replays what the store lacks
    this.log.close();
  }
}
