import { scanFrames } from "../../pipeline/frame.js";
import type { DescribeRunRequest, DescribeRunResult, Sink } from "../../pipeline/sink.js";
import { backoffMs, type IngestClient, IngestError, type RunAddress } from "./ingest-client.js";
import { RunFileUploader } from "./run-file-uploads.js";

interface Pending {
  readonly lastSeq: number;
  readonly bytes: Uint8Array;
}

/** One request carries at most this many bytes of frames (several sealed segments coalesce). */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Failures that are not the server's (reading a run file) are retried this often, then reported. */
const MAX_LOCAL_FAILURES = 5;

/**
 * Online mode's sink: ships sealed segments to a runlog server over HTTP, in order, one request
 * at a time, after the run files each segment refers to. The run's transaction log is the spool:
 * a segment leaves memory only once the server acknowledged it, so a server that is down for
 * minutes costs retries (backoff with jitter), never data. Unrecoverable answers (a revoked key,
 * a rejected record) stop the sink; `runlog sync` uploads the log later.
 */
export class HttpSink implements Sink {
  onAck: (lastSeq: number) => void = () => {};
  onError: (error: Error) => void = () => {};
  private readonly queue: Pending[] = [];
  private sending = false;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private lastContact = Date.now();
  private readonly files: RunFileUploader;

  constructor(
    private readonly client: IngestClient,
    private readonly address: RunAddress,
    heartbeatSeconds: number,
    private readonly warn: (message: string) => void,
    /** How long describeRun (init) keeps trying to reach the server. */
    private readonly initTimeoutMs: number,
    filesDir: string,
  ) {
    this.files = new RunFileUploader(client, address, filesDir, warn);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastContact < heartbeatSeconds * 1000 || this.sending) return;
      this.client.heartbeat(this.address).then(
        () => this.contact(),
        () => {},
      );
    }, heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  async describeRun(request: DescribeRunRequest): Promise<DescribeRunResult> {
    const deadline = Date.now() + this.initTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.describe(request);
      } catch (error) {
        if (!(error instanceof IngestError) || !error.retryable || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(backoffMs(attempt), Math.max(0, deadline - Date.now()))));
      }
    }
  }

  deliver(lastSeq: number, bytes: Uint8Array): void {
    this.queue.push({ lastSeq, bytes });
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retryTimer);
  }

  private pump(): void {
    // While a retry waits out its backoff, new segments only queue: they must not bypass it.
    if (this.sending || this.closed || this.retryTimer !== undefined || this.queue.length === 0) return;
    let size = 0;
    let take = 0;
    while (take < this.queue.length && (take === 0 || size + (this.queue[take] as Pending).bytes.byteLength <= MAX_REQUEST_BYTES)) {
      size += (this.queue[take] as Pending).bytes.byteLength;
      take++;
    }
    const batch = this.queue.slice(0, take);
    const body = batch.length === 1 ? (batch[0] as Pending).bytes : Buffer.concat(batch.map((p) => p.bytes));
    this.sending = true;
    Promise.resolve()
      .then(() => this.files.upload(scanFrames(body, { verify: false }).records))
      .then(() => this.client.records(this.address, body))
      .then(
        (appliedSeq) => {
          this.sending = false;
          this.contact();
          this.queue.splice(0, take);
          this.onAck(appliedSeq);
          this.pump();
        },
        (error: unknown) => {
          this.sending = false;
          if (this.closed) return;
          // The server said no for good, or something local keeps failing (a file we cannot read).
          const fatal = error instanceof IngestError ? !error.retryable : this.failures >= MAX_LOCAL_FAILURES;
          if (fatal) {
            this.closed = true;
            this.onError(error as Error);
            return;
          }
          if (this.failures === 0) this.warn(`${(error as Error).message} Retrying; nothing is lost (the run's log keeps every record).`);
          const wait = Math.max(backoffMs(this.failures++), error instanceof IngestError ? (error.retryAfterMs ?? 0) : 0);
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.pump();
          }, wait);
        },
      );
  }

  private contact(): void {
    if (this.failures > 0) this.warn(`the runlog server is reachable again after ${this.failures} failed attempts.`);
    this.failures = 0;
    this.lastContact = Date.now();
  }
}
