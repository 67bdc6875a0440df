import { existsSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { RunlogError } from "../../errors.js";
import type { DescribeRunRequest, DescribeRunResult, Sink } from "../../pipeline/sink.js";
import { compiledSiblingUrl } from "../../util/compiled-url.js";
import { createFromTemplate } from "./database.js";
import { listRunLogs, SqliteStore } from "./sqlite-store.js";
import type { FromWorker, ToWorker, WorkerData } from "./worker-protocol.js";

/**
 * Sends a run's records to the embedded store through a dedicated worker thread. The thread is
 * started just after init returns (or at the second delivery, when a loop never yields first):
 * making one costs the calling thread ~10 ms, which init need not wait for.
 */
export class SqliteSink implements Sink {
  onAck: (lastSeq: number) => void = () => {};
  onError: (error: Error) => void = () => {};
  private worker: Worker | undefined;
  /** Messages sent before the worker exists, posted in order when it starts. */
  private early: [ToWorker, ArrayBuffer[]][] = [];
  private closed: Promise<void> | undefined;
  /** The worker's highest applied seq, readable without waiting for its ack message. */
  private readonly applied = new BigInt64Array(new SharedArrayBuffer(8));
  private exited = false;
  private onGit: (metadata: Record<string, unknown>) => void = () => {};

  constructor(
    private readonly dbPath: string,
    private readonly heartbeatSeconds: number,
  ) {
    setImmediate(() => {
      this.start();
      // A fresh root's store file is made here while the worker thread starts (~30 ms); whichever
      // thread gets there first creates it (the other finds it whole).
      try {
        if (!existsSync(dbPath)) createFromTemplate(dbPath);
      } catch {
        // The worker creates it (or reports why it cannot).
      }
    });
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const data: WorkerData = {
      dbPath: this.dbPath,
      heartbeatSeconds: this.heartbeatSeconds,
      applied: this.applied.buffer as SharedArrayBuffer,
    };
    // Workers inherit node's flags; `--input-type` (node -e scripts) would make the worker refuse to start.
    const evalScript = process.execArgv.some((arg) => arg.startsWith("--input-type"));
    const worker = new Worker(compiledSiblingUrl(import.meta.url, "./sqlite-worker.js"), {
      workerData: data,
      // The worker reads columns in place and makes little garbage: a small young generation
      // keeps the process's memory flat (measured in bench/rss.mjs).
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      ...(evalScript ? { execArgv: [] } : {}),
    });
    this.worker = worker;
    worker.on("message", (message: FromWorker) => this.receive(message));
    worker.on("error", (error) =>
      this.onError(new RunlogError("STORE_ERROR", `The embedded store worker failed: ${error.message}`, { cause: error })),
    );
    worker.on("exit", () => {
      this.exited = true;
    });
    // The worker must not keep the process alive: the run decides when to finish. (After the
    // listeners: adding a "message" listener refs the worker again.)
    worker.unref();
    for (const [message, transfer] of this.early) worker.postMessage(message, transfer);
    this.early = [];
    return worker;
  }

  /**
   * Answered on the calling thread: one short read (plus replaying any log a crash left),
   * so init() does not wait the ~25 ms a worker thread takes to start.
   */
  async describeRun(request: DescribeRunRequest): Promise<DescribeRunResult> {
    // A fresh root with no log to replay knows no run: the worker creates the store, off this thread.
    if (!existsSync(this.dbPath) && (request.runDir === undefined || listRunLogs(request.runDir).length === 0)) {
      return { projectRunCount: 0 };
    }
    const store = new SqliteStore(this.dbPath);
    try {
      return store.describeRun(request);
    } finally {
      store.close();
    }
  }

  deliver(lastSeq: number, bytes: Uint8Array, fromDisk: boolean): void {
    const transferable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const owned = transferable ? bytes : new Uint8Array(bytes);
    this.send({ type: "frames", lastSeq, bytes: owned, fromDisk }, [owned.buffer as ArrayBuffer]);
  }

  appliedSeq(): number {
    return Number(Atomics.load(this.applied, 0));
  }

  /** The git facts of `cwd`, read in the worker thread: its `git status` spawn never stalls the run. */
  gitMetadata(cwd: string, onMetadata: (metadata: Record<string, unknown>) => void): void {
    this.onGit = onMetadata;
    this.send({ type: "git", cwd });
  }

  resume(): void {
    this.send({ type: "resume" });
  }

  close(): Promise<void> {
    this.closed ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.start().once("exit", () => resolve());
          this.send({ type: "close" });
        });
    return this.closed;
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.exited) return;
    // Before the worker exists, the first delivery (init's own records) waits for it; a second one
    // means a loop is running without yielding, so the worker starts now.
    const waits = message.type !== "frames" || !this.early.some(([early]) => early.type === "frames");
    if (this.worker === undefined && waits) {
      this.early.push([message, transfer]);
      return;
    }
    this.start().postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    if (message.type === "ack") this.onAck(message.lastSeq);
    else if (message.type === "git") this.onGit(message.metadata);
    else if (message.type === "error") {
      this.onError(
        new RunlogError(
          "STORE_ERROR",
          message.error.retryable
            ? `The embedded store cannot take writes now (${message.error.message}); the data is safe in the run's transaction log and is retried.`
            : `The embedded store rejected a write: ${message.error.message}. The data is safe in the run's transaction log; run \`runlog sync\` once the problem is fixed.`,
          { details: { retryable: message.error.retryable === true } },
        ),
      );
    }
  }
}
