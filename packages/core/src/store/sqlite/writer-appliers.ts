import type { ExitHeader, HistoryHeader, RunHeader, ScalarColumn, SummaryHeader } from "../../pipeline/records.js";
import { decodeJson, encodeJson } from "../../util/json.js";
import { type ApplyContext, keyId } from "./apply-context.js";
import { textChecksum } from "./checksums.js";
import { prepared } from "./prepared.js";

/**
 * Shared mode (several processes, one run): what differs when a writer's record is applied.
 * Each writer keeps its own row in `run_writers` (progress, `_step`, state, what it set of config
 * and summary) and its own history streams (`history@<label>`, `system@<label>`), so writers never
 * touch each other's chunks. The run's config and summary are the merge of the writers' (mergedOf).
 */
type Writer = { readonly label: string; readonly primary: boolean };

/** The history stream a writer's `stream` is stored under. */
export function writerStream(stream: string, label: string): string {
  return `${stream}@${label}`;
}

/** A writer's run record: its row is (re)opened; the run row itself was created or updated by the caller. */
export function openWriter(context: ApplyContext, writer: Writer, h: RunHeader): void {
  prepared(
    context.db,
    `INSERT INTO run_writers (run_pk, label, is_primary, heartbeat_at, attempts) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (run_pk, label) DO UPDATE SET is_primary = excluded.is_primary, state = 'running', exit_code = NULL,
       heartbeat_at = MAX(heartbeat_at, excluded.heartbeat_at), attempts = MAX(attempts, excluded.attempts)`,
  ).run(context.runPk, writer.label, writer.primary ? 1 : 0, h.t / 1000, h.attempt + 1);
}

export function applyWriterHistory(context: ApplyContext, writer: Writer, h: HistoryHeader, columns: readonly ScalarColumn[]): void {
  const stream = writerStream(h.stream, writer.label);
  for (const column of columns) context.chunks.append(keyId(context, stream, column.key), column.steps, column.values);
  if (h.rows.length > 0) {
    const upsert = prepared(
      context.db,
      `INSERT INTO writer_rows (run_pk, label, step, data, crc) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_pk, label, step) DO UPDATE SET data = excluded.data, crc = excluded.crc`,
    );
    for (const [step, values] of h.rows) {
      for (const key of Object.keys(values)) keyId(context, stream, key);
      const data = encodeJson(values);
      upsert.run(context.runPk, writer.label, step, data, textChecksum(data));
    }
  }
  if (h.stream === "history") {
    prepared(context.db, "UPDATE run_writers SET last_step = MAX(last_step, ?) WHERE run_pk = ? AND label = ?").run(
      h.lastStep,
      context.runPk,
      writer.label,
    );
    prepared(context.db, "UPDATE runs SET last_step = MAX(last_step, ?) WHERE pk = ?").run(h.lastStep, context.runPk);
  }
}

/** Stores what one writer set of `column` (config: its whole config; summary: its changes) and returns the run's merge. */
export function writerPart(
  context: ApplyContext,
  writer: Writer,
  column: "config" | "summary",
  change: Record<string, unknown> | SummaryHeader,
): Record<string, unknown> {
  const own = ensurePart(context, writer, column);
  let next: Record<string, unknown>;
  if (column === "config") next = change as Record<string, unknown>;
  else {
    const { set, delete: deleted } = change as SummaryHeader;
    next = { ...own, ...set };
    for (const key of deleted) delete next[key];
  }
  prepared(context.db, `UPDATE run_writers SET ${column} = ? WHERE run_pk = ? AND label = ?`).run(
    encodeJson(next),
    context.runPk,
    writer.label,
  );
  return mergedOf(context, column);
}

function ensurePart(context: ApplyContext, writer: Writer, column: "config" | "summary"): Record<string, unknown> {
  const row = prepared(context.db, `SELECT ${column} AS text FROM run_writers WHERE run_pk = ? AND label = ?`).get(
    context.runPk,
    writer.label,
  ) as { text: string | null } | undefined;
  return row?.text ? decodeJson<Record<string, unknown>>(row.text) : {};
}

/**
 * The run's config or summary: every non-primary writer's keys (labels in sorted order, a later
 * label's value replacing an earlier one's), then the primary's over them — the primary wins.
 */
function mergedOf(context: ApplyContext, column: "config" | "summary"): Record<string, unknown> {
  const rows = prepared(
    context.db,
    `SELECT ${column} AS text FROM run_writers WHERE run_pk = ? AND ${column} IS NOT NULL ORDER BY is_primary, label`,
  ).all(context.runPk) as { text: string }[];
  return Object.assign({}, ...rows.map((row) => decodeJson<Record<string, unknown>>(row.text)));
}

/** A writer's exit: its own state; the primary's also ends the run (and marks writers that died crashed). */
export function applyWriterExit(context: ApplyContext, writer: Writer, h: ExitHeader): void {
  prepared(
    context.db,
    "UPDATE run_writers SET state = ?, exit_code = ?, heartbeat_at = MAX(heartbeat_at, ?) WHERE run_pk = ? AND label = ?",
  ).run(h.state, h.exitCode, h.t / 1000, context.runPk, writer.label);
  if (!writer.primary) return;
  const crashed = prepared(context.db, "UPDATE run_writers SET state = 'crashed' WHERE run_pk = ? AND label = ? AND state = 'running'");
  for (const label of h.crashedWriters ?? []) crashed.run(context.runPk, label);
}

/** A writer's batch: its progress and heartbeat; the run's applied_seq is bumped as the readers' change stamp. */
export function writerAppliedSeq(context: ApplyContext, writer: Writer): number {
  const row = prepared(context.db, "SELECT applied_seq FROM run_writers WHERE run_pk = ? AND label = ?").get(context.runPk, writer.label) as
    | { applied_seq: number }
    | undefined;
  return row?.applied_seq ?? 0;
}

export function setWriterAppliedSeq(context: ApplyContext, writer: Writer, seq: number, t: number): void {
  prepared(
    context.db,
    "UPDATE run_writers SET applied_seq = MAX(applied_seq, ?), heartbeat_at = MAX(heartbeat_at, ?) WHERE run_pk = ? AND label = ?",
  ).run(seq, t / 1000, context.runPk, writer.label);
  // Readers cache a run's view by (applied_seq, heartbeat): with several writers it counts batches.
  const heartbeat = writer.primary ? t / 1000 : 0;
  prepared(context.db, "UPDATE runs SET applied_seq = applied_seq + 1, heartbeat_at = MAX(heartbeat_at, ?) WHERE pk = ?").run(
    heartbeat,
    context.runPk,
  );
}

export function writerHeartbeat(context: ApplyContext, writer: Writer, at: number): void {
  prepared(context.db, "UPDATE run_writers SET heartbeat_at = MAX(heartbeat_at, ?) WHERE run_pk = ? AND label = ?").run(
    at,
    context.runPk,
    writer.label,
  );
  if (writer.primary) prepared(context.db, "UPDATE runs SET heartbeat_at = MAX(heartbeat_at, ?) WHERE pk = ?").run(at, context.runPk);
}
