import { join } from "node:path";
import { RunlogError } from "../errors.js";
import { storeRoot } from "../store/open-reader.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteSweepBackend } from "./sqlite-sweep-backend.js";
import type { SweepBackend } from "./sweep-backend.js";

export interface SweepStoreOptions {
  /** The local store's folder (default RUNLOG_DIR, else ./runlog). */
  readonly dir?: string;
  /** "online": sweeps live on the team server at baseUrl (RUNLOG_BASE_URL). */
  readonly mode?: "local" | "online";
  readonly baseUrl?: string;
  readonly apiKey?: string;
}

/** The sweep store a process uses: the embedded SQLite store, or the team server when online. */
export function openSweepBackend(options: SweepStoreOptions = {}): SweepBackend {
  const mode = options.mode ?? (process.env.RUNLOG_MODE === "online" ? "online" : "local");
  if (mode === "online") {
    throw new RunlogError(
      "MODE_UNAVAILABLE",
      'Sweeps on the team server are not available in this build; use the local store (mode "local").',
    );
  }
  return new SqliteSweepBackend(join(storeRoot(options.dir), DB_FILE));
}
