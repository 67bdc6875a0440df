import { decodeJson, encodeJson } from "../../util/json.js";
import { blobToFloat64, chunkStats, decodeSteps, encodeSteps, float64ToBlob } from "../chunks.js";
import { type ApplyContext, keyId } from "./apply-context.js";
import { blobChecksum, DAMAGED_CHECKSUM, textChecksum, textIntact } from "./checksums.js";

interface ChunkRow {
  key_id: number;
  seq: number;
  first_step: number;
  last_step: number;
  count: number;
  steps: Buffer;
  vals: Buffer;
}

const CHUNK_WITH_DATA = `SELECT c.key_id, c.seq, c.first_step, c.last_step, c.count, b.steps, b.vals
  FROM series_chunks c JOIN series_blobs b ON b.id = c.blob_id`;

/** Rewind (`resumeFrom`): drop every history point after `step`. */
export function truncateHistory(context: ApplyContext, runPk: number, step: number): void {
  const { db } = context;
  const keys = db.prepare("SELECT id FROM series_keys WHERE run_pk = ? AND stream = 'history'").all(runPk) as { id: number }[];
  for (const { id } of keys) {
    db.prepare("DELETE FROM series_chunks WHERE key_id = ? AND first_step > ?").run(id, step);
    const boundary = db.prepare(`${CHUNK_WITH_DATA} WHERE c.key_id = ? AND c.last_step > ?`).get(id, step) as ChunkRow | undefined;
    if (boundary !== undefined) writeChunkUpTo(context, boundary, id, step);
  }
  db.prepare("DELETE FROM history_rows WHERE run_pk = ? AND step > ?").run(runPk, step);
  db.prepare("UPDATE runs SET last_step = MIN(last_step, ?) WHERE pk = ?").run(step, runPk);
  context.chunks.reset();
  for (const { id } of keys) rebuildIndex(context, id);
}

/** Fork (`forkFrom`): copy the parent's config, metrics and history up to `step` into the new run. */
export function copyHistory(context: ApplyContext, parentPk: number, step: number): void {
  const { db } = context;
  // Text and checksums are copied as they are: damage in the parent stays detectable in the fork.
  db.prepare(
    `UPDATE runs SET (config, config_crc, metrics, metrics_crc) = (SELECT config, config_crc, metrics, metrics_crc FROM runs WHERE pk = ?),
       last_step = ? WHERE pk = ?`,
  ).run(parentPk, step, context.runPk);
  const keys = db.prepare("SELECT id, stream, key FROM series_keys WHERE run_pk = ? AND stream = 'history'").all(parentPk) as {
    id: number;
    stream: string;
    key: string;
  }[];
  const targets: number[] = [];
  for (const key of keys) {
    const target = keyId(context, key.stream, key.key);
    targets.push(target);
    const chunks = db.prepare(`${CHUNK_WITH_DATA} WHERE c.key_id = ? AND c.first_step <= ? ORDER BY c.seq`).all(key.id, step) as ChunkRow[];
    for (const chunk of chunks) writeChunkUpTo(context, chunk, target, step);
  }
  db.prepare(
    "INSERT INTO history_rows (run_pk, step, data, crc) SELECT ?, step, data, crc FROM history_rows WHERE run_pk = ? AND step <= ?",
  ).run(context.runPk, parentPk, step);
  context.chunks.reset();
  for (const target of targets) rebuildIndex(context, target);
  recomputeSummary(context, context.runPk);
}

/** Writes `chunk`, cut to its points ≤ step, as chunk `chunk.seq` of `targetKey` (a new blob). */
function writeChunkUpTo(context: ApplyContext, chunk: ChunkRow, targetKey: number, step: number): void {
  const { db } = context;
  const steps = decodeSteps(chunk.steps, chunk.first_step, chunk.count);
  const values = blobToFloat64(chunk.vals);
  let count = 0;
  while (count < steps.length && (steps[count] as number) <= step) count++;
  db.prepare("DELETE FROM series_chunks WHERE key_id = ? AND seq = ?").run(targetKey, chunk.seq);
  if (count === 0) return;
  const keptSteps = steps.slice(0, count);
  const keptValues = values.slice(0, count);
  const stats = chunkStats(keptSteps, keptValues, count);
  const stepsBlob = encodeSteps(keptSteps, count);
  const valuesBlob = float64ToBlob(keptValues, count);
  const blobId = db
    .prepare("INSERT INTO series_blobs (steps, vals, crc) VALUES (?, ?, ?)")
    .run(stepsBlob, valuesBlob, blobChecksum(stepsBlob, valuesBlob)).lastInsertRowid;
  db.prepare(
    `INSERT INTO series_chunks (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, blob_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(targetKey, chunk.seq, stats.firstStep, stats.lastStep, count, stats.min, stats.max, stats.firstValue, stats.lastValue, blobId);
}

/** Rewrites a key's stats index from its chunk rows (pages are flushed with the transaction). */
function rebuildIndex(context: ApplyContext, key: number): void {
  context.db.prepare("DELETE FROM series_index WHERE key_id = ?").run(key);
  const rows = context.db
    .prepare(
      "SELECT seq, first_step, last_step, count, min, max, first_value, last_value, blob_id FROM series_chunks WHERE key_id = ? ORDER BY seq",
    )
    .all(key) as {
    seq: number;
    first_step: number;
    last_step: number;
    count: number;
    min: number | null;
    max: number | null;
    first_value: number | null;
    last_value: number | null;
    blob_id: number;
  }[];
  for (const r of rows) {
    context.chunks.indexChunk(
      key,
      r.seq,
      {
        count: r.count,
        min: r.min,
        max: r.max,
        firstValue: r.first_value ?? Number.NaN,
        lastValue: r.last_value ?? Number.NaN,
        firstStep: r.first_step,
        lastStep: r.last_step,
      },
      r.blob_id,
    );
  }
}

/** After a rewind or fork the summary is rebuilt as the last value of each key. */
export function recomputeSummary(context: ApplyContext, runPk: number): void {
  const { db } = context;
  const summary: Record<string, unknown> = {};
  const rows = db.prepare("SELECT data, crc FROM history_rows WHERE run_pk = ? ORDER BY step").all(runPk) as {
    data: string;
    crc: number | null;
  }[];
  let intact = true;
  for (const row of rows) {
    intact &&= textIntact(row.crc, row.data);
    Object.assign(summary, decodeJson<Record<string, unknown>>(row.data));
  }
  const lasts = db
    .prepare(
      `SELECT k.key AS key, c.last_value AS last FROM series_keys k
       JOIN series_chunks c ON c.key_id = k.id
       WHERE k.run_pk = ? AND k.stream = 'history' AND k.key NOT LIKE '\\_%' ESCAPE '\\'
         AND c.seq = (SELECT MAX(seq) FROM series_chunks WHERE key_id = k.id)`,
    )
    .all(runPk) as { key: string; last: number | null }[];
  for (const { key, last } of lasts) summary[key] = last ?? Number.NaN;
  const text = encodeJson(summary);
  // Built from a damaged history row: marked damaged too, never a wrong value with a valid checksum.
  db.prepare("UPDATE runs SET summary = ?, summary_crc = ? WHERE pk = ?").run(text, intact ? textChecksum(text) : DAMAGED_CHECKSUM, runPk);
}
