import type { Metric } from "../metrics/metric.js";
import type { RunState } from "../pipeline/records.js";
import type { StoredRunSnapshot } from "../pipeline/sink.js";
import { decodeJson } from "../util/json.js";
import { effectiveState } from "./run-state.js";
import type { RunView } from "./store.js";

/** A `runs` row: the same columns in the SQLite and the PostgreSQL store. JSON columns are core's tagged JSON. */
export interface RunRow {
  pk: number;
  entity: string;
  project: string;
  run_id: string;
  name: string;
  notes: string | null;
  tags: string;
  group_name: string | null;
  job_type: string | null;
  sweep_id: string | null;
  state: RunState;
  exit_code: number | null;
  config: string;
  summary: string;
  metrics: string;
  metadata: string;
  created_at: number;
  heartbeat_at: number;
  finished_at: number | null;
  runtime: number;
  crash_timeout: number;
  attempts: number;
  forked_from: string | null;
  last_step: number;
  applied_seq: number;
  /** The tags and notes the run's last run record said (`describedText`); null before it was kept. */
  described: string | null;
  /** How many dashboard edits the row has had (readers' cache stamp). */
  edits: number;
}

/** What readers return for a row (with the store's key, which only that store interprets). */
export function runViewOf(row: RunRow): RunView & { pk: number } {
  return {
    pk: row.pk,
    entity: row.entity,
    project: row.project,
    id: row.run_id,
    name: row.name,
    notes: row.notes ?? undefined,
    tags: JSON.parse(row.tags) as string[],
    group: row.group_name ?? undefined,
    jobType: row.job_type ?? undefined,
    sweepId: row.sweep_id ?? undefined,
    state: effectiveState(row.state, row.heartbeat_at, row.crash_timeout),
    exitCode: row.exit_code ?? undefined,
    config: decodeJson(row.config),
    summary: decodeJson(row.summary),
    metrics: decodeJson<Metric[]>(row.metrics),
    metadata: decodeJson(row.metadata),
    createdAt: row.created_at,
    heartbeatAt: row.heartbeat_at,
    finishedAt: row.finished_at ?? undefined,
    runtime: row.runtime,
    crashTimeout: row.crash_timeout,
    lastStep: row.last_step,
    attempts: row.attempts,
    forkedFrom: row.forked_from ?? undefined,
  };
}

/** What a new attempt needs to know about a stored run (resume rules, next seq, last step). */
export function storedSnapshotOf(row: RunRow): StoredRunSnapshot {
  return {
    entity: row.entity,
    project: row.project,
    id: row.run_id,
    name: row.name,
    ...(row.notes === null ? {} : { notes: row.notes }),
    tags: JSON.parse(row.tags) as string[],
    ...(row.group_name === null ? {} : { group: row.group_name }),
    ...(row.job_type === null ? {} : { jobType: row.job_type }),
    state: row.state,
    config: decodeJson(row.config),
    summary: decodeJson(row.summary),
    metrics: decodeJson<Metric[]>(row.metrics),
    lastStep: row.last_step,
    appliedSeq: row.applied_seq,
    runtime: row.runtime,
    attempts: row.attempts,
  };
}

/** A dashboard edit of a run's tags and notes (each optional; notes "" clears them). */
export interface RunMetaEdit {
  readonly tags?: readonly string[];
  readonly notes?: string;
}

/** What a run record says about tags and notes, kept in the `described` column. */
export function describedText(tags: readonly string[], notes: string | undefined): string {
  return JSON.stringify({ tags, notes: notes ?? null });
}

/**
 * Which of tags and notes a run record sets, given the row's `described` text: only a field the run
 * changed since its previous run record. A run re-sends its old tags and notes with every rename
 * and resume; they must not undo a dashboard edit made in between, while a run that sets new tags
 * still wins over an older edit (the last change of each field wins). Rows from before `described`
 * was kept take the record whole.
 */
export function describedChanges(
  described: string | null,
  tags: readonly string[],
  notes: string | undefined,
): { tags?: readonly string[]; notes?: string | null; described: string } {
  const next = describedText(tags, notes);
  let before: { tags?: unknown; notes?: unknown } | undefined;
  try {
    before = described === null ? undefined : (JSON.parse(described) as { tags?: unknown; notes?: unknown });
  } catch {
    before = undefined;
  }
  const tagsChanged = before === undefined || JSON.stringify(before.tags) !== JSON.stringify(tags);
  const notesChanged = before === undefined || before.notes !== (notes ?? null);
  return {
    ...(tagsChanged ? { tags } : {}),
    ...(notesChanged ? { notes: notes ?? null } : {}),
    described: next,
  };
}
