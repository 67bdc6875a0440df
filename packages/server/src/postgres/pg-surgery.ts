import { decodeJson } from "@runlog/core";
import { blobToFloat64, decodeSteps } from "@runlog/core/store-kit";
import type { PgApplyContext } from "./pg-apply-context.js";
import { writeChunks } from "./pg-chunks.js";

interface StoredChunk {
  key_id: number;
  seq: number;
  first_step: number;
  count: number;
  steps: Buffer;
  vals: Buffer;
}

/** `chunk` cut to its points ≤ step, as chunk `seq` of `keyId` (deleted when nothing is left). */
async function rewriteUpTo(context: PgApplyContext, chunk: StoredChunk, keyId: number, step: number): Promise<void> {
  const steps = decodeSteps(chunk.steps, chunk.first_step, chunk.count);
  const values = blobToFloat64(chunk.vals);
  let count = 0;
  while (count < steps.length && (steps[count] as number) <= step) count++;
  await context.client.query("DELETE FROM series_chunks WHERE key_id = $1 AND seq = $2", [keyId, chunk.seq]);
  if (count > 0)
    await writeChunks(context.client, [{ keyId, seq: chunk.seq, steps: steps.slice(0, count), values: values.slice(0, count), count }]);
}

async function historyKeys(context: PgApplyContext, runPk: number): Promise<{ id: number; key: string }[]> {
  const { rows } = await context.client.query<{ id: number; key: string }>(
    "SELECT id, key FROM series_keys WHERE run_pk = $1 AND stream = 'history'",
    [runPk],
  );
  return rows;
}

/** Rewind (`resumeFrom`): drop every history point after `step`. */
export async function truncateHistory(context: PgApplyContext, step: number): Promise<void> {
  const { client, run } = context;
  await context.chunks.flush();
  const ids = (await historyKeys(context, run.row.pk)).map((k) => k.id);
  await client.query("DELETE FROM series_chunks WHERE key_id = ANY($1::bigint[]) AND first_step > $2", [ids, step]);
  const { rows } = await client.query<StoredChunk>(
    "SELECT key_id, seq, first_step, count, steps, vals FROM series_chunks WHERE key_id = ANY($1::bigint[]) AND last_step > $2",
    [ids, step],
  );
  for (const chunk of rows) await rewriteUpTo(context, chunk, chunk.key_id, step);
  await client.query("DELETE FROM history_rows WHERE run_pk = $1 AND step > $2", [run.row.pk, step]);
  run.set("last_step", Math.min(run.row.last_step, step));
  context.chunks.reset();
  await recomputeSummary(context);
}

/** Fork (`forkFrom`): copy the parent's config, metrics and history up to `step` into the new run. */
export async function copyHistory(context: PgApplyContext, parentId: string, step: number): Promise<void> {
  const { client, run } = context;
  const { rows: parents } = await client.query<{ pk: number; config: string; metrics: string }>(
    "SELECT pk, config, metrics FROM runs WHERE entity = $1 AND project = $2 AND run_id = $3",
    [run.row.entity, run.row.project, parentId],
  );
  const parent = parents[0];
  if (parent === undefined) return;
  run.setJson("config", decodeJson(parent.config));
  run.setJson("metrics", decodeJson(parent.metrics));
  run.set("last_step", step);
  const keys = await historyKeys(context, parent.pk);
  const targets = await context.keyIds.resolve(
    client,
    run.row.pk,
    "history",
    keys.map((k) => k.key),
  );
  // Whole chunks are copied inside the database; only a chunk that straddles `step` is cut here.
  await client.query(
    `INSERT INTO series_chunks (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps, vals)
     SELECT m.target, c.seq, c.first_step, c.last_step, c.count, c.min, c.max, c.first_value, c.last_value, c.steps, c.vals
     FROM series_chunks c JOIN unnest($1::bigint[], $2::bigint[]) AS m(source, target) ON c.key_id = m.source
     WHERE c.last_step <= $3`,
    [keys.map((k) => k.id), targets, step],
  );
  const { rows: straddling } = await client.query<StoredChunk>(
    `SELECT key_id, seq, first_step, count, steps, vals FROM series_chunks
     WHERE key_id = ANY($1::bigint[]) AND first_step <= $2 AND last_step > $2`,
    [keys.map((k) => k.id), step],
  );
  for (const chunk of straddling) {
    await rewriteUpTo(context, chunk, targets[keys.findIndex((k) => k.id === chunk.key_id)] as number, step);
  }
  await client.query(
    "INSERT INTO history_rows (run_pk, step, data) SELECT $1, step, data FROM history_rows WHERE run_pk = $2 AND step <= $3",
    [run.row.pk, parent.pk, step],
  );
  context.chunks.reset();
  await recomputeSummary(context);
}

/** After a rewind or fork the summary is rebuilt as the last value of each key. */
async function recomputeSummary(context: PgApplyContext): Promise<void> {
  const { client, run } = context;
  const summary: Record<string, unknown> = {};
  const { rows } = await client.query<{ data: string }>("SELECT data FROM history_rows WHERE run_pk = $1 ORDER BY step", [run.row.pk]);
  for (const row of rows) Object.assign(summary, decodeJson<Record<string, unknown>>(row.data));
  const { rows: lasts } = await client.query<{ key: string; last: number | null }>(
    `SELECT DISTINCT ON (k.id) k.key AS key, c.last_value AS last FROM series_keys k
     JOIN series_chunks c ON c.key_id = k.id
     WHERE k.run_pk = $1 AND k.stream = 'history' AND left(k.key, 1) <> '_'
     ORDER BY k.id, c.seq DESC`,
    [run.row.pk],
  );
  for (const { key, last } of lasts) summary[key] = last ?? Number.NaN;
  run.setJson("summary", summary);
}
