import { useEffect, useState } from "preact/hooks";
import { followRuns, type HistoryRow, type RunView } from "./api.ts";

const MAX_LIVE_ROWS = 5_000;
const LIVE_REDRAW_MS = 2_000;

/**
 * The rows that live runs among `runs` logged since the page fetched their history, by run id:
 * they arrive by cursor (after the last step seen) over one stream for the project, never by
 * refetching history.
 */
export function useLiveRows(base: string, runs: readonly RunView[]): ReadonlyMap<string, readonly HistoryRow[]> {
  const [live, setLive] = useState<ReadonlyMap<string, readonly HistoryRow[]>>(new Map());
  const runningIds = runs.filter((run) => run.state === "running").map((run) => run.id);
  useEffect(() => {
    const running = runs.filter((run) => run.state === "running");
    if (running.length === 0) return;
    // One stream for all of them: a stream per run would take the browser's six connections. New
    // rows are drawn at most every 2 s, all runs' together: a redraw per push kept a core busy.
    const pending = new Map<string, HistoryRow[]>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const arrived = [...pending];
      pending.clear();
      setLive((previous) => {
        const next = new Map(previous);
        for (const [id, rows] of arrived) next.set(id, [...(previous.get(id) ?? []), ...rows].slice(-MAX_LIVE_ROWS));
        return next;
      });
    };
    const stop = followRuns(base, running, {
      rows: (id, rows) => {
        pending.set(id, [...(pending.get(id) ?? []), ...rows]);
        timer ??= setTimeout(flush, LIVE_REDRAW_MS);
      },
      state: () => {},
    });
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [runningIds.join()]);
  return live;
}
