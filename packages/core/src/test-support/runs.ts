import { Api } from "../api/api.js";
import type { HistoryRow } from "../api/api-run.js";
import { init } from "../run/init.js";
import type { Run } from "../run/run.js";
import type { InitOptions } from "../run/run-options.js";
import { QUIET } from "./temp-root.js";

/** init() into `root` with quiet test settings (overridable). */
export function initIn(root: string, options: InitOptions = {}): Promise<Run> {
  return init({
    project: "test",
    entity: "tester",
    dir: root,
    reinit: "create_new",
    ...options,
    settings: { ...QUIET, ...options.settings },
  });
}

/** Every history row of a run, read back through the public Api (real SQLite). */
export async function readHistory(root: string, path: string, keys?: string[]): Promise<HistoryRow[]> {
  const api = new Api({ dir: root });
  try {
    const run = await api.run(path);
    const rows: HistoryRow[] = [];
    for await (const row of run.scanHistory(keys === undefined ? {} : { keys })) rows.push(row);
    return rows;
  } finally {
    api.close();
  }
}

/** Rows reduced to the user's keys (no _runtime/_timestamp) for exact comparisons. */
export function userColumns(rows: HistoryRow[]): Record<string, unknown>[] {
  return rows.map(({ _runtime, _timestamp, ...rest }) => rest);
}
