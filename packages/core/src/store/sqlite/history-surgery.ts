import { blobToFloat64, chunkStats, float64ToBlob } from "../chunks.js";
import { decodeJson, encodeJson } from "../../util/json.js";
import type { ApplyContext } from "./record-appliers.js";
import { keyId } from "./record-appliers.js";

interface ChunkRow {
  id: number;
  key_id: number;
  seq: number;
  first_step: number;
  last_step: number;
  steps: Buffer;
  vals: Buffer;
}

/** Rewind (`resumeFrom`): drop every history point after `step`. */
export function truncateHistory(context: ApplyContext, runPk: number, step: number): void {
  const { db } = context;
  const keys = db.prepare("SELECT id FROM series_keys WHERE run_pk = ? AND stream = 'history'").all(runPk) as { id: number }[];
  for (const { id } of keys) {
    db.prepare("DELETE FROM series_chunks WHERE key_id = ? AND first_step > ?").run(id, step);
    const boundary = db.prepare("SELECT * FROM series_chunks WHERE key_id = ? AND last_step > ?").get(id, step) as ChunkRow | undefined;
    if (boundary !== undefined) rewriteChunkUpTo(context, boundary, id, boundary.seq, step);
  }
  db.prepare("DELETE FROM history_rows WHERE run_pk = ? AND step > ?").run(runPk, step);
  db.prepare("UPDATE runs SET last_step = MIN(last_step, ?) WHERE pk = ?").run(step, runPk);
  context.chunks.reset();
}

/** Fork (`forkFrom`): copy the parent's config, metrics and history up to `step` into the new run. */
export function copyHistory(context: ApplyContext, parentPk: number, step: number): void {
  const { db } = context;
  const parent = db.prepare("SELECT config, metrics FROM runs WHERE pk = ?").get(parentPk) as { config: string; metrics: string };
  db.prepare("UPDATE runs SET config = ?, metrics = ?, last_step = ? WHERE pk = ?").run(parent.config, parent.metrics, step, context.runPk);
  const keys = db.prepare("SELECT id, stream, key FROM series_keys WHERE run_pk = ? AND stream = 'history'").all(parentPk) as {
    id: number;
    stream: string;
    key: string;
  }[];
  for (const key of keys) {
    const target = keyId(context, key.stream, key.key);
    const chunks = db.prepare("SELECT * FROM series_chunks WHERE key_id = ? AND first_step <= ? ORDER BY seq").all(key.id, step) as ChunkRow[];
    for (const chunk of chunks) rewriteChunkUpTo(context, chunk, target, chunk.seq, step);
  }
  db.prepare(
    "INSERT INTO history_rows (run_pk, step, data) SELECT ?, step, data FROM history_rows WHERE run_pk = ? AND step <= ?",
  ).run(context.runPk, parentPk, step);
  context.chunks.reset();
  recomputeSummary(context, context.runPk);
}

/** Writes `chunk` (cut to points ≤ step) as chunk `seq` of `targetKey`. */
function rewriteChunkUpTo(context: ApplyContext, chunk: ChunkRow, targetKey: number, seq: number, step: number): void {
  const steps = blobToFloat64(chunk.steps);
  const values = blobToFloat64(chunk.vals);
  let count = 0;
  while (count < steps.length && (steps[count] as number) <= step) count++;
  if (count === 0) {
    context.db.prepare("DELETE FROM series_chunks WHERE key_id = ? AND seq = ?").run(targetKey, seq);
    return;
  }
  const keptSteps = steps.slice(0, count);
  const keptValues = values.slice(0, count);
  const stats = chunkStats(keptSteps, keptValues, count);
  context.db
    .prepare(
      `INSERT OR REPLACE INTO series_chunks
         (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps, vals)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(targetKey, seq, stats.firstStep, stats.lastStep, count, stats.min, stats.max, stats.firstValue, stats.lastValue,
      float64ToBlob(keptSteps, count), float64ToBlob(keptValues, count));
}

/** After a rewind or fork the summary is rebuilt as the last value of each key. */
export function recomputeSummary(context: ApplyContext, runPk: number): void {
  const { db } = context;
  const summary: Record<string, unknown> = {};
  const rows = db.prepare("SELECT data FROM history_rows WHERE run_pk = ? ORDER BY step").all(runPk) as { data: string }[];
  for (const row of rows) Object.assign(summary, decodeJson<Record<string, unknown>>(row.data));
  const lasts = db
    .prepare(
      `SELECT k.key AS key, c.vals AS vals, c.count AS count FROM series_keys k
       JOIN series_chunks c ON c.key_id = k.id
       WHERE k.run_pk = ? AND k.stream = 'history' AND k.key NOT LIKE '\\_%' ESCAPE '\\'
         AND c.seq = (SELECT MAX(seq) FROM series_chunks WHERE key_id = k.id)`,
    )
    .all(runPk) as { key: string; vals: Buffer; count: number }[];
  for (const { key, vals, count } of lasts) summary[key] = blobToFloat64(vals)[count - 1];
  db.prepare("UPDATE runs SET summary = ? WHERE pk = ?").run(encodeJson(summary), runPk);
}
