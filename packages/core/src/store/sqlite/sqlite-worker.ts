import { parentPort, workerData } from "node:worker_threads";
import { scanFrames } from "../../pipeline/frame.js";
import { SqliteStore } from "./sqlite-store.js";
import type { FromWorker, SerializedError, ToWorker, WorkerData } from "./worker-protocol.js";

/**
 * The embedded store's writer thread: all SQLite work for one run happens here, so
 * the training loop never waits on the database (or on another process's lock).
 */
const port = parentPort;
if (port === null) throw new Error("sqlite-worker must run as a worker thread");
const { dbPath, heartbeatSeconds } = workerData as WorkerData;
let store: SqliteStore | undefined;
/**
 * Set when a batch failed: later batches are not applied until the run says "resume" and sends
 * the failed one again, so the applied sequence never moves past a batch the store lacks.
 */
let halted = false;
// Heartbeats come from this thread: they stop only when the process dies or closes the run.
const heartbeat = setInterval(() => {
  try {
    store?.heartbeat();
  } catch (error) {
    post({ type: "error", error: serialize(error) });
  }
}, heartbeatSeconds * 1000);

function post(message: FromWorker): void {
  port?.postMessage(message);
}

const TRANSIENT = /^(SQLITE_(FULL|IOERR|BUSY|LOCKED|CANTOPEN)|ENOSPC|EIO|EDQUOT|EAGAIN)/;

function serialize(error: unknown): SerializedError {
  const e = error as { message?: string; code?: string };
  let retryable = false;
  for (let cause: unknown = error; cause !== undefined && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    if (TRANSIENT.test(String((cause as { code?: unknown }).code ?? ""))) retryable = true;
  }
  return { message: e?.message ?? String(error), ...(e?.code ? { code: e.code } : {}), retryable };
}

function getStore(): SqliteStore {
  store ??= new SqliteStore(dbPath);
  return store;
}

port.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "frames":
      if (halted) return;
      try {
        const scan = scanFrames(message.bytes, { verify: message.fromDisk });
        if (scan.stoppedBy !== undefined) throw new Error(`frames up to seq ${message.lastSeq} are damaged (${scan.stoppedBy})`);
        getStore().apply(scan.records);
        post({ type: "ack", lastSeq: message.lastSeq });
      } catch (error) {
        halted = true; // the store rolled the batch back (and dropped what it cached from it)
        post({ type: "error", error: serialize(error) });
      }
      return;
    case "resume":
      halted = false;
      return;
    case "close":
      clearInterval(heartbeat);
      store?.close();
      store = undefined;
      post({ type: "closed" });
      port.close();
      return;
  }
});
