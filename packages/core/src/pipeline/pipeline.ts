import { encodeFrames, type FramePart } from "./frame.js";
import { HistoryBatch } from "./history-batch.js";
import type { RecordKindName } from "./records.js";
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
  lastSyncAt: number | undefined;

  constructor(private readonly options: PipelineOptions) {
    this.log = new TransactionLogWriter(options.logPath);
    this.sender = new Sender(this.log, options.sink);
    this.seq = options.firstSeq;
    if (options.sink) {
      options.sink.onError = (error) => {
        this.sender.fail();
        options.onSinkError(error);
      };
    }
  }

  start(): void {
    const seal = setInterval(() => this.seal(), Math.min(SEAL_INTERVAL_MS, (this.options.flushIntervalSeconds * 1000) / 2));
    const sync = setInterval(() => {
      this.log.syncInBackground();
      this.lastSyncAt = Date.now();
    }, this.options.flushIntervalSeconds * 1000);
    for (const timer of [seal, sync]) {
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Queues a record for the next seal (records keep their order). */
  push(kind: RecordKindName, header: object): void {
    this.queued.push([kind, header]);
  }

  get nextSeq(): number {
    return this.seq;
  }

  /** Encodes everything pending into one segment, writes it to the log and sends it on. */
  seal(): void {
    this.options.beforeSeal();
    if (this.queued.length === 0 && this.history.isEmpty && this.system.isEmpty) return;
    const t = Date.now();
    const parts: FramePart[] = [];
    let points = 0;
    // Exit records must come after this seal's history; everything else goes first.
    const exits = this.queued.filter(([kind]) => kind === "exit");
    for (const [kind, header] of this.queued) {
      if (kind !== "exit") parts.push({ kind, header: { seq: this.seq++, t, ...header } });
    }
    this.queued.length = 0;
    const batches = [this.history, this.system].filter((batch) => !batch.isEmpty);
    for (const batch of batches) {
      points += batch.points;
      parts.push(batch.takePart(this.seq++, t, this.options.lastStep()));
    }
    for (const [kind, header] of exits) parts.push({ kind, header: { seq: this.seq++, t, ...header } });
    const segment = encodeFrames(parts);
    for (const batch of batches) batch.reset();
    const offset = this.log.append(segment);
    this.sender.enqueue(this.seq - 1, offset, segment, points + parts.length);
  }

  /** Seals, fsyncs, and waits for the sink; reports progress while it waits. */
  async drain(timeoutMs: number, onProgress: (pendingPoints: number) => void): Promise<boolean> {
    this.seal();
    this.log.syncNow();
    this.lastSyncAt = Date.now();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || this.sender.failed) return false;
      if (await this.sender.idle(Math.min(left, 2_000))) return true;
      onProgress(this.sender.pendingPoints);
    }
  }

  /** Synchronous last resort at process exit: everything pending goes to the log. */
  sealAndSyncNow(): void {
    this.seal();
    this.log.syncNow();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
  }

  closeLog(): void {
    this.stop();
    this.log.close();
  }
}
