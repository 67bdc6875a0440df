import type { Metric } from "../metrics/metric.js";
import type { SpanRecord } from "../run/span-record.js";

/**
 * Record kinds written to the transaction log and applied by a store. One small
 * applier per kind lives in the store (no giant switch over record types).
 */
export const RECORD_KIND = {
  run: 1,
  meta: 2,
  config: 3,
  summary: 4,
  metrics: 5,
  history: 6,
  alert: 7,
  exit: 8,
  preempting: 9,
  file: 10,
  span: 11,
} as const;
export type RecordKindName = keyof typeof RECORD_KIND;
/**
 * The code of a history frame whose columns share steps arrays (`header.stepsOf`). A code of its
 * own, so that an older runlog refuses such a log as written by a newer one instead of misreading it.
 */
export const SHARED_STEPS_HISTORY = 12;
export const KIND_NAMES = {
  ...Object.fromEntries(Object.entries(RECORD_KIND).map(([name, code]) => [code, name])),
  [SHARED_STEPS_HISTORY]: "history",
} as Record<number, RecordKindName>;

export type RunState = "running" | "finished" | "failed" | "crashed" | "killed" | "preempting";

interface Base {
  /** Sequence number, increasing across every attempt of the run: the idempotency key. */
  readonly seq: number;
  /** Unix milliseconds when the record was sealed. */
  readonly t: number;
}

export interface RunHeader extends Base {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly name: string;
  readonly notes?: string;
  readonly tags: readonly string[];
  readonly group?: string;
  readonly jobType?: string;
  readonly sweepId?: string;
  readonly startTime: number;
  readonly crashTimeout: number;
  readonly attempt: number;
  readonly forkedFrom?: string;
  /** Set on the first run record of a `resumeFrom` attempt: history after this step is dropped. */
  readonly rewindTo?: number;
  /** Set on the first run record of a `forkFrom` run: the parent's history up to `step` is copied. */
  readonly forkFrom?: { readonly id: string; readonly step: number };
  /** Shared mode: which writer's log this is (each writer has its own sequence space and `_step`). */
  readonly writer?: { readonly label: string; readonly primary: boolean };
}

export interface MetaHeader extends Base {
  readonly metadata: Record<string, unknown>;
}
export interface ConfigHeader extends Base {
  readonly config: Record<string, unknown>;
}
export interface SummaryHeader extends Base {
  readonly set: Record<string, unknown>;
  readonly delete: readonly string[];
}
export interface MetricsHeader extends Base {
  readonly metrics: readonly Metric[];
}
export interface AlertHeader extends Base {
  readonly title: string;
  readonly text: string;
  readonly level: "INFO" | "WARN" | "ERROR";
  readonly waitDuration: number;
}
export interface ExitHeader extends Base {
  readonly exitCode: number;
  readonly state: RunState;
  readonly runtime: number;
  /** Shared mode, the primary's exit: writers whose process died without an exit (shown as crashed). */
  readonly crashedWriters?: readonly string[];
}
export type PreemptingHeader = Base;
/** A file saved into the run's files folder (run.save). */
export interface FileHeader extends Base {
  readonly path: string;
  readonly size: number;
}

/** Scalars travel as columns in the body; non-scalar values per step in `rows`. */
/** One trace span event from a tracer adapter (see SpanRecord), as it travels through the log. */
export type SpanHeader = Base & SpanRecord;

export interface HistoryHeader extends Base {
  /** "history" rows are keyed by `_step`; "system" samples by `_runtime` seconds. */
  readonly stream: "history" | "system";
  readonly keys: readonly string[];
  readonly counts: readonly number[];
  /**
   * For each column, the index of the column whose steps it uses (its own index when the body
   * carries its steps). Rows log the same keys each step, so most columns share one array.
   */
  readonly stepsOf?: readonly number[];
  readonly rows: readonly (readonly [number, Record<string, unknown>])[];
  /** The run's current step after this batch (lets readers resume exactly). */
  readonly lastStep: number;
}

export interface ScalarColumn {
  readonly key: string;
  readonly steps: Float64Array;
  readonly values: Float64Array;
}

export type DecodedRecord =
  | { readonly kind: "run"; readonly header: RunHeader }
  | { readonly kind: "meta"; readonly header: MetaHeader }
  | { readonly kind: "config"; readonly header: ConfigHeader }
  | { readonly kind: "summary"; readonly header: SummaryHeader }
  | { readonly kind: "metrics"; readonly header: MetricsHeader }
  | { readonly kind: "history"; readonly header: HistoryHeader; readonly columns: readonly ScalarColumn[] }
  | { readonly kind: "alert"; readonly header: AlertHeader }
  | { readonly kind: "exit"; readonly header: ExitHeader }
  | { readonly kind: "preempting"; readonly header: PreemptingHeader }
  | { readonly kind: "file"; readonly header: FileHeader }
  | { readonly kind: "span"; readonly header: SpanHeader };

/** A decoded record of kind `K`. */
export type RecordOf<K extends RecordKindName> = Extract<DecodedRecord, { readonly kind: K }>;
/** The header a record of kind `K` carries. */
export type HeaderOf<K extends RecordKindName> = RecordOf<K>["header"];
/** What a producer pushes for kind `K`: its header without the `seq` and `t` that sealing adds. */
export type HeaderDraft<K extends RecordKindName> = Omit<HeaderOf<K>, "seq" | "t">;
