import type { Sink } from "./sink.js";
import type { TransactionLogWriter } from "./transaction-log.js";

interface Segment {
  readonly lastSeq: number;
  readonly offset: number;
  readonly length: number;
  /** Null once spilled: the bytes are re-read from the transaction log when sent. */
  bytes: Buffer | null;
  readonly points: number;
}

/** Bytes handed to the sink and not yet acknowledged. */
const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
/** Bytes kept in memory for segments waiting their turn; beyond this they spill to the log. */
const MAX_RETAINED_BYTES = 4 * 1024 * 1024;
/** Backoff between redeliveries after a sink failure (a full disk, a locked store). */
const MIN_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Moves sealed segments from the transaction log to the sink in order, with bounded
 * memory: when the sink falls behind, segments are dropped from memory and re-read
 * from the log later, so a slow store never grows the process.
 */
export class Sender {
  private readonly waiting: Segment[] = [];
  private readonly inFlight: Segment[] = [];
  private inFlightBytes = 0;
  private retainedBytes = 0;
  private waiters: ((ok?: boolean) => void)[] = [];
  pendingPoints = 0;
  pendingItems = 0;
  totalItems = 0;
  ackedSeq = 0;
  lastAckAt: number | undefined;
  /** Set when the sink reported an error it cannot resume from: nothing more will be acknowledged. */
  failed = false;
  /** Called when the sink acknowledges again after a retried failure. */
  onRecovered: () => void = () => {};
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = MIN_RETRY_MS;
  private suspended = false;

  constructor(
    private readonly log: TransactionLogWriter,
    private readonly sink: Sink | undefined,
  ) {
    if (sink) sink.onAck = (seq) => this.acknowledge(seq);
  }

  enqueue(lastSeq: number, offset: number, bytes: Buffer, points: number): void {
    this.totalItems++;
    if (this.sink === undefined) {
      // Offline: the transaction log is the destination.
      this.ackedSeq = lastSeq;
      return;
    }
    const keep = this.retainedBytes + bytes.length <= MAX_RETAINED_BYTES;
    if (keep) this.retainedBytes += bytes.length;
    this.waiting.push({ lastSeq, offset, length: bytes.length, bytes: keep ? bytes : null, points });
    this.pendingItems++;
    this.pendingPoints += points;
    this.pump();
  }

  /** Resolves true when everything enqueued so far is acknowledged; false on timeout or sink failure. */
  async idle(timeoutMs: number): Promise<boolean> {
    if (this.pendingItems === 0) return true;
    if (this.failed) return false;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (ok = true) => {
        clearTimeout(timer);
        resolve(ok);
      };
      this.waiters.push(done);
    });
  }

  /** The sink gave up: stop waiting for acknowledgements (the transaction log keeps everything). */
  fail(): void {
    this.failed = true;
    clearTimeout(this.retryTimer);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter(false);
  }

  /**
   * The sink failed a delivery but can resume (`Sink.resume`): everything unacknowledged is
   * delivered again, from the log, after a backoff. The store skips what it already has, so a
   * failed batch never leaves a hole behind later ones. False when the sink cannot resume.
   */
  retryLater(): boolean {
    const sink = this.sink;
    if (sink?.resume === undefined || this.failed) return false;
    this.suspended = true;
    for (const segment of this.inFlight) segment.bytes = null;
    this.waiting.unshift(...this.inFlight);
    this.inFlight.length = 0;
    this.inFlightBytes = 0;
    if (this.retryTimer === undefined) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.suspended = false;
        sink.resume?.();
        this.pump();
      }, this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    }
    return true;
  }

  private pump(): void {
    const sink = this.sink;
    if (sink === undefined || this.suspended || this.failed) return;
    // What the sink applied while this thread was busy (its ack messages wait for the event loop).
    const applied = sink.appliedSeq?.() ?? 0;
    if (applied > this.ackedSeq && this.inFlight.length > 0 && (this.inFlight[0] as Segment).lastSeq <= applied) {
      this.acknowledge(applied); // pumps again, with the room it frees
      return;
    }
    while (this.waiting.length > 0 && this.inFlightBytes < MAX_IN_FLIGHT_BYTES) {
      const segment = this.waiting[0] as Segment;
      const fromDisk = segment.bytes === null;
      let bytes: Buffer;
      try {
        bytes = segment.bytes ?? this.log.read(segment.offset, segment.length);
      } catch {
        // The log cannot be read back now (EIO): try again later, or give the sink up (the log keeps it all).
        if (!this.retryLater()) this.fail();
        return;
      }
      this.waiting.shift();
      if (!fromDisk) this.retainedBytes -= bytes.length;
      segment.bytes = null;
      this.inFlight.push(segment);
      this.inFlightBytes += segment.length;
      sink.deliver(segment.lastSeq, bytes, fromDisk);
    }
  }

  private acknowledge(seq: number): void {
    this.ackedSeq = Math.max(this.ackedSeq, seq);
    this.lastAckAt = Date.now();
    if (this.retryMs !== MIN_RETRY_MS && !this.suspended) {
      this.retryMs = MIN_RETRY_MS;
      this.onRecovered();
    }
    while (this.inFlight.length > 0 && (this.inFlight[0] as Segment).lastSeq <= seq) {
      const segment = this.inFlight.shift() as Segment;
      this.inFlightBytes -= segment.length;
      this.pendingItems--;
      this.pendingPoints -= segment.points;
    }
    this.pump();
    if (this.pendingItems === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter();
    }
  }
}
