import { decodeJson, encodeJson } from "@runlog/core";
import { type DecodedRecord, describedChanges, type HeaderOf, type RecordKindName, type RecordOf } from "@runlog/core/store-kit";
import type { PgApplyContext } from "./pg-apply-context.js";
import { copyHistory, truncateHistory } from "./pg-surgery.js";
import { mergePatch } from "./span-merge.js";

/** The applier of kind `K`: it gets that kind's header and record, so the table below needs no casts. */
type Applier<K extends RecordKindName> = (context: PgApplyContext, header: HeaderOf<K>, record: RecordOf<K>) => Promise<void>;

const applyRun: Applier<"run"> = async (context, h) => {
  const { run } = context;
  const now = h.t / 1000;
  run.set("name", h.name);
  // Tags and notes only where the run changed them since its last run record, so a dashboard
  // edit in between survives the run's renames and resumes (describedChanges).
  const changes = describedChanges(run.row.described, h.tags, h.notes);
  if (changes.notes !== undefined) run.set("notes", changes.notes);
  if (changes.tags !== undefined) run.set("tags", JSON.stringify(changes.tags));
  run.set("described", changes.described);
  run.set("group_name", h.group ?? null);
  run.set("job_type", h.jobType ?? null);
  run.set("sweep_id", h.sweepId ?? null);
  run.set("state", "running");
  run.set("exit_code", null);
  run.set("finished_at", null);
  run.set("heartbeat_at", Math.max(run.row.heartbeat_at, now));
  run.set("crash_timeout", h.crashTimeout);
  run.set("attempts", Math.max(run.row.attempts, h.attempt + 1));
  if (context.fresh) {
    run.set("created_at", h.startTime);
    if (h.forkFrom) {
      run.set("forked_from", `${h.forkFrom.id}?_step=${h.forkFrom.step}`);
      await copyHistory(context, h.forkFrom.id, h.forkFrom.step);
    }
    return;
  }
  if (h.rewindTo !== undefined) await truncateHistory(context, h.rewindTo);
};

const applyHistory: Applier<"history"> = async (context, h, record) => {
  const { client, run } = context;
  const { columns } = record;
  if (columns.length > 0) {
    const ids = await context.keyIds.resolve(
      client,
      run.row.pk,
      h.stream,
      columns.map((c) => c.key),
    );
    await context.chunks.load(ids);
    columns.forEach((column, i) => {
      context.chunks.append(ids[i] as number, column.steps, column.values);
    });
  }
  if (h.rows.length > 0) {
    const keys = new Set<string>();
    for (const [, values] of h.rows) for (const key of Object.keys(values)) keys.add(key);
    await context.keyIds.resolve(client, run.row.pk, "history", [...keys]);
    await client.query(
      `INSERT INTO history_rows (run_pk, step, data) SELECT $1, * FROM unnest($2::bigint[], $3::text[])
       ON CONFLICT (run_pk, step) DO UPDATE SET data = excluded.data`,
      [run.row.pk, h.rows.map(([step]) => step), h.rows.map(([, values]) => encodeJson(values))],
    );
  }
  if (h.stream === "history") run.set("last_step", Math.max(run.row.last_step, h.lastStep));
};

const applySpan: Applier<"span"> = async ({ client, run }, h) => {
  // An end merges its data over the start's (RFC 7386, like SQLite's json_patch in the embedded
  // store). The run row is locked, so reading then writing cannot race another instance.
  const { rows } = await client.query<{ data: string }>("SELECT data FROM spans WHERE run_pk = $1 AND span_id = $2", [run.row.pk, h.id]);
  const existing = rows[0];
  const data = existing === undefined ? h.data : mergePatch(decodeJson(existing.data), h.data);
  await client.query(
    `INSERT INTO spans (run_pk, span_id, trace_id, parent_id, kind, name, start_time, end_time, status, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (run_pk, span_id) DO UPDATE SET
       end_time = COALESCE(excluded.end_time, spans.end_time),
       status = COALESCE(excluded.status, spans.status),
       data = excluded.data`,
    [run.row.pk, h.id, h.traceId, h.parentId ?? null, h.kind, h.name, h.startTime, h.endTime ?? null, h.status ?? null, encodeJson(data)],
  );
};

const APPLIERS: { [K in RecordKindName]: Applier<K> } = {
  run: applyRun,
  meta: async ({ run }, h) => {
    run.setJson("metadata", { ...run.json<Record<string, unknown>>("metadata"), ...h.metadata });
  },
  config: async ({ run }, h) => run.setJson("config", h.config),
  summary: async ({ run }, h) => {
    const summary = { ...run.json<Record<string, unknown>>("summary") };
    for (const key of h.delete) delete summary[key];
    run.setJson("summary", { ...summary, ...h.set });
  },
  metrics: async ({ run }, h) => run.setJson("metrics", h.metrics),
  history: applyHistory,
  alert: async ({ client, run }, h) => {
    await client.query("INSERT INTO alerts (run_pk, title, text, level, wait_duration, created_at) VALUES ($1, $2, $3, $4, $5, $6)", [
      run.row.pk,
      h.title,
      h.text,
      h.level,
      h.waitDuration,
      h.t / 1000,
    ]);
  },
  exit: async ({ run }, h) => {
    run.set("state", h.state);
    run.set("exit_code", h.exitCode);
    run.set("finished_at", h.t / 1000);
    run.set("runtime", h.runtime);
    run.set("heartbeat_at", Math.max(run.row.heartbeat_at, h.t / 1000));
  },
  file: async ({ client, run }, h) => {
    await client.query(
      `INSERT INTO files (run_pk, path, size, sha256, updated_at) VALUES ($1, $2, $3, NULL, $4)
       ON CONFLICT (run_pk, path) DO UPDATE SET size = excluded.size, sha256 = NULL, updated_at = excluded.updated_at`,
      [run.row.pk, h.path, h.size, h.t / 1000],
    );
  },
  span: applySpan,
  preempting: async ({ run }) => {
    if (run.row.state === "running") run.set("state", "preempting");
  },
};

export async function applyRecord(context: PgApplyContext, record: DecodedRecord): Promise<void> {
  await applyKind(context, record.kind, record.header, record);
}

/** Generic in the kind, so that the applier of `kind` takes that kind's header and record as they are. */
function applyKind<K extends RecordKindName>(context: PgApplyContext, kind: K, header: HeaderOf<K>, record: RecordOf<K>): Promise<void> {
  return APPLIERS[kind](context, header, record);
}
