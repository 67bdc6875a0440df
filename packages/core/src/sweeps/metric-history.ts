import type { StoreReader } from "../store/store.js";

/** The values a run logged for `key`, in logged order (an "iteration" for hyperband is an index here). */
export async function readMetricHistory(
  reader: StoreReader,
  entity: string,
  project: string,
  runId: string,
  key: string,
): Promise<number[]> {
  const run = await reader.getRun(entity, project, runId);
  if (run === undefined) return [];
  const chunks = await reader.chunkInfos(run, "history", key, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  if (chunks.length === 0) return [];
  const parts = await reader.chunkPoints(
    run,
    "history",
    key,
    chunks,
    Array.from({ length: chunks.length }, (_, i) => i),
  );
  return parts.flatMap((points) => Array.from(points.values));
}

/** Histories of every listed run, read outside any lock (they only grow, so a slightly old one is safe). */
export async function readMetricHistories(
  reader: StoreReader,
  entity: string,
  project: string,
  runIds: readonly string[],
  key: string | undefined,
): Promise<Map<string, number[]>> {
  const histories = new Map<string, number[]>();
  if (key === undefined) return histories;
  for (const runId of runIds) histories.set(runId, await readMetricHistory(reader, entity, project, runId, key));
  return histories;
}
