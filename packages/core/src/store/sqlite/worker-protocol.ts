/** Messages between a run (main thread) and its SQLite worker. */
export type ToWorker =
  | { readonly type: "frames"; readonly lastSeq: number; readonly bytes: Uint8Array; readonly fromDisk: boolean }
  | { readonly type: "resume" }
  /** Read the git facts of `cwd` here (a `git status` spawn would stall the run's thread), and report them. */
  | { readonly type: "git"; readonly cwd: string }
  | { readonly type: "close" };

export type FromWorker =
  | { readonly type: "ack"; readonly lastSeq: number }
  | { readonly type: "error"; readonly error: SerializedError }
  | { readonly type: "closed" }
  | { readonly type: "git"; readonly metadata: Record<string, unknown> };

export interface SerializedError {
  readonly message: string;
  readonly code?: string;
  /** A condition that may pass (a full disk, an I/O error, a lock): the run redelivers later. */
  readonly retryable?: boolean;
}

export interface WorkerData {
  readonly dbPath: string;
  /** Seconds between heartbeats, sent from the worker so a busy main thread is not a crash. */
  readonly heartbeatSeconds: number;
  /** One BigInt64 slot: the highest seq applied, stored by the worker before its ack message. */
  readonly applied: SharedArrayBuffer;
}
