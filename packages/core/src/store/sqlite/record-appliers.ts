import type { DecodedRecord, HeaderOf, RecordKindName, RecordOf, RunHeader } from "../../pipeline/records.js";
import { decodeJson, encodeJson } from "../../util/json.js";
import { describedChanges, describedText } from "../run-row.js";
import { type ApplyContext, keyId } from "./apply-context.js";
import { derivedChecksum, textChecksum } from "./checksums.js";
import { copyHistory, recomputeSummary, truncateHistory } from "./history-surgery.js";
import { prepared } from "./prepared.js";
import { applyWriterExit, applyWriterHistory, openWriter, writerPart } from "./writer-appliers.js";

/** The applier of kind `K`: it gets that kind's header and record, so the table below needs no casts. */
type Applier<K extends RecordKindName> = (context: ApplyContext, header: HeaderOf<K>, record: RecordOf<K>) => void;

/**
 * Rewrites a JSON column with its checksum. A merge (`merges`) over damaged text keeps the result
 * marked damaged, so a merge never launders a flipped byte into a value with a valid checksum.
 */
function updateJsonColumn(
  context: ApplyContext,
  column: "config" | "summary" | "metadata" | "metrics",
  change: (current: Record<string, unknown>) => unknown,
  merges: boolean,
): void {
  const row = prepared(context.db, `SELECT ${column} AS text, ${column}_crc AS crc FROM runs WHERE pk = ?`).get(context.runPk) as {
    text: string;
    crc: number | null;
  };
  const next = encodeJson(change(decodeJson<Record<string, unknown>>(row.text)));
  const crc = merges ? derivedChecksum(row, next) : textChecksum(next);
  prepared(context.db, `UPDATE runs SET ${column} = ?, ${column}_crc = ? WHERE pk = ?`).run(next, crc, context.runPk);
}

/** name, notes, tags, tags_crc, group_name, job_type, sweep_id: what a run record says about its run. */
function describedBy(h: RunHeader): unknown[] {
  const tags = JSON.stringify(h.tags);
  return [h.name, h.notes ?? null, tags, textChecksum(tags), h.group ?? null, h.jobType ?? null, h.sweepId ?? null];
}

/** Checksums of the defaults a new `runs` row starts with ('{}' and '[]'). */
const EMPTY_OBJECT_CRC = textChecksum("{}");
const EMPTY_ARRAY_CRC = textChecksum("[]");

/** Run records open or re-open a run; a fork copies its parent's history once, at creation. */
const applyRun: Applier<"run"> = (context, h) => {
  applyRunRow(context, h);
  context.writer = h.writer;
  if (h.writer !== undefined) openWriter(context, h.writer, h);
};

function applyRunRow(context: ApplyContext, h: RunHeader): void {
  const { db } = context;
  prepared(db, "INSERT OR IGNORE INTO projects (entity, name, created_at) VALUES (?, ?, ?)").run(h.entity, h.project, h.startTime);
  const existing = prepared(db, "SELECT pk FROM runs WHERE entity = ? AND project = ? AND run_id = ?").get(h.entity, h.project, h.id) as
    | { pk: number }
    | undefined;
  const now = h.t / 1000;
  if (existing === undefined) {
    const result = prepared(
      db,
      `INSERT INTO runs (entity, project, run_id, name, notes, tags, tags_crc, group_name, job_type, sweep_id,
           created_at, heartbeat_at, crash_timeout, attempts, forked_from, config_crc, summary_crc, metadata_crc, metrics_crc, described)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      h.entity,
      h.project,
      h.id,
      ...describedBy(h),
      h.startTime,
      now,
      h.crashTimeout,
      h.attempt + 1,
      h.forkFrom ? `${h.forkFrom.id}?_step=${h.forkFrom.step}` : null,
      EMPTY_OBJECT_CRC,
      EMPTY_OBJECT_CRC,
      EMPTY_OBJECT_CRC,
      EMPTY_ARRAY_CRC,
      describedText(h.tags, h.notes),
    );
    context.runPk = Number(result.lastInsertRowid);
    if (h.forkFrom) {
      const parent = prepared(db, "SELECT pk FROM runs WHERE entity = ? AND project = ? AND run_id = ?").get(
        h.entity,
        h.project,
        h.forkFrom.id,
      ) as { pk: number } | undefined;
      if (parent !== undefined) copyHistory(context, parent.pk, h.forkFrom.step);
    }
    return;
  }
  context.runPk = existing.pk;
  // Shared mode: only the primary describes the run; another writer joins it as it is.
  if (h.writer !== undefined && !h.writer.primary) return;
  // Tags and notes only where the run changed them since its last run record: a dashboard edit
  // in between survives the run's renames and resumes (describedChanges).
  const { described } = prepared(db, "SELECT described FROM runs WHERE pk = ?").get(existing.pk) as { described: string | null };
  const changes = describedChanges(described, h.tags, h.notes);
  const [name, notes, tags, tagsCrc, ...rest] = describedBy(h);
  prepared(
    db,
    `UPDATE runs SET name = ?, notes = CASE WHEN ? THEN ? ELSE notes END, tags = CASE WHEN ? THEN ? ELSE tags END,
       tags_crc = CASE WHEN ? THEN ? ELSE tags_crc END, group_name = ?, job_type = ?, sweep_id = ?, described = ?,
       state = 'running', exit_code = NULL, finished_at = NULL, heartbeat_at = MAX(heartbeat_at, ?), crash_timeout = ?,
       attempts = MAX(attempts, ?)
     WHERE pk = ?`,
  ).run(
    name,
    changes.notes !== undefined ? 1 : 0,
    notes,
    changes.tags !== undefined ? 1 : 0,
    tags,
    changes.tags !== undefined ? 1 : 0,
    tagsCrc,
    ...rest,
    changes.described,
    now,
    h.crashTimeout,
    h.attempt + 1,
    existing.pk,
  );
  if (h.rewindTo !== undefined) {
    truncateHistory(context, existing.pk, h.rewindTo);
    recomputeSummary(context, existing.pk);
  }
}

const applyHistory: Applier<"history"> = (context, h, record) => {
  if (context.writer !== undefined) return applyWriterHistory(context, context.writer, h, record.columns);
  for (const column of record.columns) {
    context.chunks.append(keyId(context, h.stream, column.key), column.steps, column.values);
  }
  if (h.rows.length > 0) {
    const upsert = prepared(
      context.db,
      `INSERT INTO history_rows (run_pk, step, data, crc) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_pk, step) DO UPDATE SET data = excluded.data, crc = excluded.crc`,
    );
    for (const [step, values] of h.rows) {
      for (const key of Object.keys(values)) keyId(context, "history", key);
      const data = encodeJson(values);
      upsert.run(context.runPk, step, data, textChecksum(data));
    }
  }
  if (h.stream === "history") {
    prepared(context.db, "UPDATE runs SET last_step = MAX(last_step, ?) WHERE pk = ?").run(h.lastStep, context.runPk);
  }
};

const APPLIERS: { [K in RecordKindName]: Applier<K> } = {
  run: applyRun,
  // Shared mode: the run's metadata is the primary's (as in W&B).
  meta: (context, h) => {
    if (context.writer?.primary !== false) updateJsonColumn(context, "metadata", (m) => ({ ...m, ...h.metadata }), true);
  },
  config: (context, h) => {
    const writer = context.writer;
    const config = writer === undefined ? h.config : writerPart(context, writer, "config", h.config);
    updateJsonColumn(context, "config", () => config, false);
  },
  summary: (context, h) => {
    const writer = context.writer;
    if (writer !== undefined) return updateJsonColumn(context, "summary", () => writerPart(context, writer, "summary", h), false);
    updateJsonColumn(
      context,
      "summary",
      (summary) => {
        for (const key of h.delete) delete summary[key];
        return { ...summary, ...h.set };
      },
      true,
    );
  },
  // Shared mode: definitions are the run's; a non-primary writer adds the ones the run lacks.
  metrics: (context, h) =>
    updateJsonColumn(
      context,
      "metrics",
      (current) => {
        if (context.writer?.primary !== false) return h.metrics;
        const stored = current as unknown as readonly { name: string }[];
        const names = new Set(stored.map((metric) => metric.name));
        return [...stored, ...h.metrics.filter((metric) => !names.has(metric.name))];
      },
      false,
    ),
  history: applyHistory,
  alert: (context, h) => {
    prepared(context.db, "INSERT INTO alerts (run_pk, title, text, level, wait_duration, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
      context.runPk,
      h.title,
      h.text,
      h.level,
      h.waitDuration,
      h.t / 1000,
    );
  },
  exit: (context, h) => {
    if (context.writer !== undefined) applyWriterExit(context, context.writer, h);
    if (context.writer?.primary === false) return;
    prepared(
      context.db,
      "UPDATE runs SET state = ?, exit_code = ?, finished_at = ?, runtime = ?, heartbeat_at = MAX(heartbeat_at, ?) WHERE pk = ?",
    ).run(h.state, h.exitCode, h.t / 1000, h.runtime, h.t / 1000, context.runPk);
  },
  file: (context, h) => {
    prepared(context.db, "INSERT OR REPLACE INTO files (run_pk, path, size, sha256, updated_at) VALUES (?, ?, ?, NULL, ?)").run(
      context.runPk,
      h.path,
      h.size,
      h.t / 1000,
    );
  },
  span: (context, h) => {
    // Start inserts; end fills in the end and merges its data over the start's (json_patch). An end
    // without a start (a tracer attached mid-trace) inserts the whole span. The merged text is
    // checksummed in SQL; a merge over damaged data stays marked damaged (-1, DAMAGED_CHECKSUM).
    const data = encodeJson(h.data);
    prepared(
      context.db,
      `INSERT INTO spans (run_pk, span_id, trace_id, parent_id, kind, name, start_time, end_time, status, data, crc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_pk, span_id) DO UPDATE SET
           end_time = COALESCE(excluded.end_time, end_time),
           status = COALESCE(excluded.status, status),
           data = json_patch(data, excluded.data),
           crc = CASE WHEN crc IS NULL OR crc = runlog_crc32(data) THEN runlog_crc32(json_patch(data, excluded.data)) ELSE -1 END`,
    ).run(
      context.runPk,
      h.id,
      h.traceId,
      h.parentId ?? null,
      h.kind,
      h.name,
      h.startTime,
      h.endTime ?? null,
      h.status ?? null,
      data,
      textChecksum(data),
    );
  },
  preempting: (context, _h) => {
    if (context.writer?.primary === false) return;
    prepared(context.db, "UPDATE runs SET state = 'preempting' WHERE pk = ? AND state = 'running'").run(context.runPk);
  },
};

export function applyRecord(context: ApplyContext, record: DecodedRecord): void {
  applyKind(context, record.kind, record.header, record);
}

/** Generic in the kind, so that the applier of `kind` takes that kind's header and record as they are. */
function applyKind<K extends RecordKindName>(context: ApplyContext, kind: K, header: HeaderOf<K>, record: RecordOf<K>): void {
  APPLIERS[kind](context, header, record);
}
