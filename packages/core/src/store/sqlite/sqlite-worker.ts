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
const { dbPath, heartbeatSeconds, applied } = workerData as WorkerData;
const appliedSeq = new BigInt64Array(applied);
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
  if (store === undefined) {
    store = new SqliteStore(dbPath);
    // Checkpoints run when this worker is idle (see checkpoint), not inside an ingest commit.
    store.db.pragma("wal_autocheckpoint = 0");
  }
  return store;
}

/** Frames received and not yet applied: applied together once the messages waiting are read. */
let queue: Extract<ToWorker, { type: "frames" }>[] = [];
let scheduled = false;
/** Bytes applied since the last checkpoint, and the idle checkpoint waiting to run. */
let uncheckpointed = 0;
let checkpointTimer: NodeJS.Timeout | undefined;

/** Applies `batches` in one transaction and acknowledges the last; throws what the store threw. */
function applyBatches(batches: readonly Extract<ToWorker, { type: "frames" }>[]): void {
  const records = [];
  for (const message of batches) {
    const scan = scanFrames(message.bytes, { verify: message.fromDisk });
    if (scan.stoppedBy !== undefined) throw new Error(`frames up to seq ${message.lastSeq} are damaged (${scan.stoppedBy})`);
    for (const record of scan.records) records.push(record);
  }
  getStore().apply(records);
  const last = (batches[batches.length - 1] as { lastSeq: number }).lastSeq;
  if (BigInt(last) > Atomics.load(appliedSeq, 0)) Atomics.store(appliedSeq, 0, BigInt(last));
  post({ type: "ack", lastSeq: last });
  for (const message of batches) uncheckpointed += message.bytes.byteLength;
}

/**
 * Applies everything queued. A worker that fell behind takes its backlog as one transaction (one
 * commit, one rewrite of each chunk tail); if that fails, batch by batch, so the batches before a
 * bad one are still stored and acknowledged, as when each came alone.
 */
function drainQueue(): void {
  scheduled = false;
  const batches = queue;
  queue = [];
  if (batches.length === 0 || halted) return;
  try {
    applyBatches(batches);
  } catch (error) {
    if (batches.length === 1) {
      fail(error);
      return;
    }
    for (const batch of batches) {
      try {
        applyBatches([batch]);
      } catch (error) {
        fail(error);
        return;
      }
    }
  }
  scheduleCheckpoint();
}

function fail(error: unknown): void {
  halted = true; // the store rolled the batch back (and dropped what it cached from it)
  post({ type: "error", error: serialize(error) });
}

/**
 * SQLite's own checkpoint runs inside the commit that crosses 1,000 WAL pages, so a run waited on it
 * mid-ingest (and finish() with it). Here it runs once the worker is idle, after the acknowledgement;
 * a WAL that grows past CHECKPOINT_MAX_BYTES while the worker stays busy is checkpointed at once.
 */
const CHECKPOINT_IDLE_BYTES = 4 * 1024 * 1024;
const CHECKPOINT_MAX_BYTES = 64 * 1024 * 1024;
const CHECKPOINT_IDLE_MS = 50;

function scheduleCheckpoint(): void {
  if (uncheckpointed >= CHECKPOINT_MAX_BYTES) checkpoint();
  else if (uncheckpointed >= CHECKPOINT_IDLE_BYTES) {
    clearTimeout(checkpointTimer);
    checkpointTimer = setTimeout(checkpoint, CHECKPOINT_IDLE_MS);
  }
}

function checkpoint(): void {
  clearTimeout(checkpointTimer);
  checkpointTimer = undefined;
  if (store === undefined) return;
  try {
    store.checkpoint();
    uncheckpointed = 0;
  } catch {
    // Busy (a reader holds the WAL) or I/O: the next idle checkpoint, or the close, tries again; the
    // WAL keeps every commit meanwhile, so nothing is lost either way.
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "frames") {
    queue.push(message);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drainQueue);
    }
    return;
  }
  drainQueue(); // what came before this message is applied first
  switch (message.type) {
    case "resume":
      halted = false;
      return;
    case "git":
      // Imported when asked: node:child_process and what it loads would lengthen every worker's start.
      void import("../../run/metadata.js")
        .then(({ gitMetadata }) => gitMetadata(message.cwd))
        .then((metadata) => post({ type: "git", metadata }));
      return;
    case "close":
      clearInterval(heartbeat);
      clearTimeout(checkpointTimer);
      store?.close();
      store = undefined;
      post({ type: "closed" });
      port.close();
      return;
  }
});
