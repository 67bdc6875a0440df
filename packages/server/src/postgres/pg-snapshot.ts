import { decodeJson, type Metric } from "@runlog/core";
import type { StoredRunSnapshot } from "@runlog/core/store-kit";
import type { PgRunRow } from "./pg-run-row.js";

/** What a new attempt needs to know about a stored run (resume rules, next seq, last step). */
export function snapshotOf(row: PgRunRow): StoredRunSnapshot {
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
