import type Database from "better-sqlite3";
import type { ChunkWriter } from "./chunk-writer.js";
import { prepared } from "./prepared.js";

// A leaf module: the record appliers and the history surgery they call (rewind, fork) share this state.

/** State shared by the appliers while one transaction runs. */
export interface ApplyContext {
  readonly db: Database.Database;
  readonly chunks: ChunkWriter;
  runPk: number;
  /** Shared mode: the writer whose log is being applied (set by its run record); undefined for ordinary runs. */
  writer?: { readonly label: string; readonly primary: boolean } | undefined;
  readonly keyIds: Map<string, number>;
}

export function keyId(context: ApplyContext, stream: string, key: string): number {
  const cacheKey = `${context.runPk}\u0000${stream}\u0000${key}`;
  const cached = context.keyIds.get(cacheKey);
  if (cached !== undefined) return cached;
  prepared(context.db, "INSERT OR IGNORE INTO series_keys (run_pk, stream, key) VALUES (?, ?, ?)").run(context.runPk, stream, key);
  const row = prepared(context.db, "SELECT id FROM series_keys WHERE run_pk = ? AND stream = ? AND key = ?").get(
    context.runPk,
    stream,
    key,
  ) as { id: number };
  context.keyIds.set(cacheKey, row.id);
  return row.id;
}
