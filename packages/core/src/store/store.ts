import type { Metric } from "../metrics/metric.js";
import type { RunState } from "../pipeline/records.js";

/** A run as readers see it (every store returns this shape). */
export interface RunView {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly name: string;
  readonly notes: string | undefined;
  readonly tags: readonly string[];
  readonly group: string | undefined;
  readonly jobType: string | undefined;
  readonly sweepId: string | undefined;
  /** The state readers report: a silent running run becomes "crashed". */
  readonly state: RunState;
  readonly exitCode: number | undefined;
  readonly config: Record<string, unknown>;
  readonly summary: Record<string, unknown>;
  readonly metrics: readonly Metric[];
  readonly metadata: Record<string, unknown>;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly heartbeatAt: number;
  readonly finishedAt: number | undefined;
  readonly runtime: number;
  readonly crashTimeout: number;
  readonly lastStep: number;
  readonly attempts: number;
  readonly forkedFrom: string | undefined;
}

/** A run's history or system stream; in shared mode each writer's own, `history@<label>` (the embedded store only, for now). */
export type Stream = "history" | "system" | `${"history" | "system"}@${string}`;

/** One writer of a shared-mode run (`init({ mode: "shared", label })`), as readers see it. */
export interface WriterView {
  readonly label: string;
  readonly primary: boolean;
  /** Its own state: a writer whose heartbeat stopped reads crashed (as runs do), and the primary's finish marks dead writers crashed. */
  readonly state: RunState;
  readonly exitCode: number | undefined;
  /** Its highest `_step` (each writer counts its own), or -1. */
  readonly lastStep: number;
  readonly heartbeatAt: number;
}

export type { ChunkInfos } from "./chunk-index.js";

import type { ChunkInfos } from "./chunk-index.js";

export interface Points {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  /** True when steps are consecutive (step, step + 1, …): bucketing can skip per-point comparisons. */
  readonly dense?: boolean;
}

export interface AlertView {
  readonly title: string;
  readonly text: string;
  readonly level: string;
  readonly waitDuration: number;
  readonly createdAt: number;
}

/** A stored trace span, flat (ApiRun.traces() builds the trees). Times are Unix ms. */
export interface SpanView {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  readonly kind: string;
  readonly name: string;
  readonly startTime: number;
  /** Undefined while the span has not ended (or never will: a crash). */
  readonly endTime: number | undefined;
  readonly status: "ok" | "error" | undefined;
  readonly data: Record<string, unknown>;
}

export interface FileView {
  readonly path: string;
  readonly size: number;
  readonly sha256: string | undefined;
  readonly updatedAt: number;
}

/**
 * The read contract every store implements: the embedded SQLite store, the server's PostgreSQL
 * store and the HTTP reader over a server. The `Api` is written only against this; each one runs
 * `describeStoreReaderContract` (`@runlog/core/testing`).
 */
export interface StoreReader {
  listProjects(): Promise<{ entity: string; name: string; createdAt: number; runCount: number }[]>;
  listRuns(entity: string, project: string): Promise<RunView[]>;
  getRun(entity: string, project: string, id: string): Promise<RunView | undefined>;
  seriesKeys(run: RunView, stream: Stream): Promise<string[]>;
  /** Stats of the chunks overlapping [from, to], in step order, as columns. */
  chunkInfos(run: RunView, stream: Stream, key: string, from: number, to: number): Promise<ChunkInfos>;
  /** The points of `chunks` at `positions` (indices into the ChunkInfos columns), in that order. */
  chunkPoints(run: RunView, stream: Stream, key: string, chunks: ChunkInfos, positions: readonly number[]): Promise<Points[]>;
  /** Stored (non-scalar) rows over [from, to] in step order; with `limit`, only the first `limit`. */
  historyRows(run: RunView, from: number, to: number, limit?: number): Promise<[number, Record<string, unknown>][]>;
  alerts(run: RunView): Promise<AlertView[]>;
  files(run: RunView): Promise<FileView[]>;
  /** Every trace span of the run, ordered by start time. */
  spans(run: RunView): Promise<SpanView[]>;
  /** Shared mode: the run's writers by label ([] for an ordinary run). Only the embedded store has them so far. */
  writers?(run: RunView): Promise<WriterView[]>;
  /** Shared mode: one writer's stored (non-scalar) rows over [from, to] in step order. */
  writerRows?(run: RunView, label: string, from: number, to: number): Promise<[number, Record<string, unknown>][]>;
  close(): void;
}
