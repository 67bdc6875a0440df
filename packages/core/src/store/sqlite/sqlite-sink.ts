import { Worker } from "node:worker_threads";
import { RunlogError } from "../../errors.js";
import type { DescribeRunRequest, DescribeRunResult, Sink } from "../../pipeline/sink.js";
import { compiledSiblingUrl } from "../../util/compiled-url.js";
import type { FromWorker, ToWorker, WorkerData } from "./worker-protocol.js";

/** Sends a run's records to the embedded store through a dedicated worker thread. */
export class SqliteSink implements Sink {
  onAck: (lastSeq: number) => void = () => {};
  onError: (error: Error) => void = () => {};
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: DescribeRunResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed: Promise<void> | undefined;
  private exited = false;

  constructor(dbPath: string, heartbeatSeconds: number) {
    const data: WorkerData = { dbPath, heartbeatSeconds };
    // Workers inherit node's flags; `--input-type` (node -e scripts) would make the worker refuse to start.
    const evalScript = process.execArgv.some((arg) => arg.startsWith("--input-type"));
    this.worker = new Worker(compiledSiblingUrl(import.meta.url, "./sqlite-worker.js"), {
      workerData: data,
      ...(evalScript ? { execArgv: [] } : {}),
    });
    // The worker must not keep the process alive: the run decides when to finish.
    this.worker.unref();
    this.worker.on("message", (message: FromWorker) => this.receive(message));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", () => {
      this.exited = true;
      this.fail(new Error("the store worker exited"));
    });
  }

  describeRun(request: DescribeRunRequest): Promise<DescribeRunResult> {
    const id = this.nextId++;
    // Keep the process alive while an answer is owed (an unref'd worker alone would not).
    this.worker.ref();
    return new Promise<DescribeRunResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: "describe", id, request });
    }).finally(() => {
      if (this.pending.size === 0 && this.closed === undefined) this.worker.unref();
    });
  }

  deliver(lastSeq: number, bytes: Uint8Array, fromDisk: boolean): void {
    const transferable = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const owned = transferable ? bytes : new Uint8Array(bytes);
    this.send({ type: "frames", lastSeq, bytes: owned, fromDisk }, [owned.buffer as ArrayBuffer]);
  }

  close(): Promise<void> {
    this.closed ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.worker.ref();
          this.worker.once("exit", () => resolve());
          this.send({ type: "close" });
        });
    return this.closed;
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.exited) return;
    this.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case "ack":
        this.onAck(message.lastSeq);
        return;
      case "described": {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new RunlogError("STORE_ERROR", message.error.message));
        else waiter?.resolve(message.result as DescribeRunResult);
        return;
      }
      case "error":
        this.onError(new RunlogError("STORE_ERROR", `The embedded store rejected a write: ${message.error.message}. The data is safe in the run's transaction log; run \`runlog sync\` once the problem is fixed.`));
        return;
      case "closed":
        return;
    }
  }

  private fail(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(new RunlogError("STORE_ERROR", `The embedded store failed: ${error.message}`, { cause: error }));
    this.pending.clear();
  }
}
