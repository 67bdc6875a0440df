import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, type HistoryRow, query, type RunView, runPath } from "./api.ts";

/** How many rows of one key a workspace panel asks for per run (media and histograms are logged sparsely). */
export const KEY_ROWS_LIMIT = 10_000;

/**
 * The rows where each run logged `key` (its media or histograms), for the workspace's media and
 * histogram panels. Asked for once per run when `enabled` (the panel is near the viewport): hiding
 * and showing a run again reuses them. A live run's new rows (by cursor, from the page's event
 * stream) are appended, never refetched.
 */
export function useRunsKeyRows(
  runs: readonly RunView[],
  key: string,
  enabled: boolean,
  live?: ReadonlyMap<string, readonly HistoryRow[]>,
): { rows: ReadonlyMap<string, readonly HistoryRow[]>; error?: Error; complete: boolean } {
  const cache = useRef(new Map<string, HistoryRow[]>()).current;
  const [, setVersion] = useState(0);
  const [error, setError] = useState<Error | undefined>();
  const ids = runs.map((run) => run.id).join();
  useEffect(() => {
    if (!enabled) return;
    const missing = runs.filter((run) => !cache.has(run.id));
    if (missing.length === 0) return;
    let current = true;
    Promise.all(
      missing.map(async (run) => {
        const rows = await getJson<HistoryRow[]>(`${runPath(run)}/history${query({ keys: key, limit: KEY_ROWS_LIMIT })}`);
        cache.set(
          run.id,
          rows.filter((row) => row[key] !== undefined && row[key] !== null),
        );
      }),
    ).then(
      () => current && setVersion((n) => n + 1),
      (failure: Error) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [enabled, ids, key]);

  // Runs that never logged the key have no entry.
  const rows = new Map<string, readonly HistoryRow[]>();
  let complete = true;
  for (const run of runs) {
    const fetched = cache.get(run.id);
    if (fetched === undefined) complete = false;
    if (fetched === undefined || fetched.length === 0) continue;
    const lastStep = fetched[fetched.length - 1]?._step ?? Number.NEGATIVE_INFINITY;
    const added = (live?.get(run.id) ?? []).filter((row) => row._step > lastStep && row[key] !== undefined && row[key] !== null);
    rows.set(run.id, added.length === 0 ? fetched : [...fetched, ...added]);
  }
  return { rows, ...(error ? { error } : {}), complete };
}
