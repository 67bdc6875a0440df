import { join, resolve } from "node:path";
import { HttpReader } from "./online/http-reader.js";
import { DB_FILE } from "./sqlite/database.js";
import { SqliteReader } from "./sqlite/sqlite-reader.js";
import { refuseDamagedStore } from "./sqlite/unclean-shutdown.js";
import type { StoreReader } from "./store.js";

/** The folder of the embedded store: `dir`, else RUNLOG_DIR, else ./runlog. An empty RUNLOG_DIR is unset, as in init(). */
export function storeRoot(dir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(dir ?? (env.RUNLOG_DIR || undefined) ?? "./runlog");
}

/**
 * A reader of the embedded store under `dir`, or of a runlog server when `baseUrl` is given.
 * The embedded store is checked first when an unclean shutdown left signs (STORE_CORRUPT when damaged).
 */
export function openStoreReader(options: { dir?: string; baseUrl?: string; apiKey?: string }): StoreReader {
  if (options.baseUrl !== undefined) return new HttpReader(options.baseUrl, options.apiKey ?? process.env.RUNLOG_API_KEY);
  const root = storeRoot(options.dir);
  refuseDamagedStore(root);
  return new SqliteReader(join(root, DB_FILE));
}
