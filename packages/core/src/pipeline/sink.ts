import type { RunState } from "./records.js";

/** What a store knows about a run when a new attempt opens it. */
export interface StoredRunSnapshot {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly name: string;
  readonly notes?: string;
  readonly tags: readonly string[];
  readonly group?: string;
  readonly jobType?: string;
  readonly state: RunState;
  readonly config: Record<string, unknown>;
  readonly summary: Record<string, unknown>;
  readonly metrics: readonly import("../metrics/metric.js").Metric[];
  /** The highest `_step` stored, or -1 when the run has no history. */
  readonly lastStep: number;
  /** The highest record sequence number applied: the next attempt continues after it. */
  readonly appliedSeq: number;
  readonly runtime: number;
  readonly attempts: number;
  /** Shared mode: the run's writers (absent for an ordinary run). */
  readonly writers?: readonly WriterSnapshot[];
}

/** One writer of a shared-mode run, as the store knows it: where its next attempt continues. */
export interface WriterSnapshot {
  readonly label: string;
  readonly primary: boolean;
  /** The highest sequence number applied from this writer's logs (its own sequence space). */
  readonly appliedSeq: number;
  /** This writer's highest `_step`, or -1. */
  readonly lastStep: number;
  readonly attempts: number;
  /** What this writer set of the summary (a resumed writer continues from it). */
  readonly summary: Record<string, unknown>;
}

export interface DescribeRunRequest {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  /** The run folder whose transaction logs are replayed first, so nothing a crash left behind is missed. */
  readonly runDir?: string;
  /** Shared mode: replay only this writer's logs (the others' belong to their live processes). */
  readonly writer?: string;
}

export interface DescribeRunResult {
  readonly run?: StoredRunSnapshot;
  /** How many runs the project has: names new runs like W&B ("sunny-river-12"). */
  readonly projectRunCount: number;
}

/**
 * Where sealed records go after the transaction log: `SqliteSink` (the embedded store, in a
 * worker thread) or `HttpSink` (store/online/, a team server). Offline runs have none.
 */
export interface Sink {
  describeRun(request: DescribeRunRequest): Promise<DescribeRunResult>;
  /**
   * Hands over ownership of `bytes` (frames up to `lastSeq`). Acks arrive through `onAck`.
   * `fromDisk` says the bytes were re-read from the transaction log, so their CRCs are checked.
   */
  deliver(lastSeq: number, bytes: Uint8Array, fromDisk: boolean): void;
  onAck: (lastSeq: number) => void;
  /**
   * Optional: the highest sequence the sink has applied, read synchronously (the store worker's shared
   * counter). The sender reads it when it sends, so a loop that never yields to the event loop (where
   * `onAck` messages arrive) still frees room in flight and keeps the sink busy.
   */
  appliedSeq?(): number;
  /**
   * Optional: after `onError`, accept deliveries again. A sink with it is retried (the sender
   * redelivers everything unacknowledged, from the log); one without is given up on its first error.
   */
  resume?(): void;
  onError: (error: Error) => void;
  close(): Promise<void>;
}
