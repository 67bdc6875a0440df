import { join } from "node:path";
import { RunlogError } from "../errors.js";
import { OnlineSweepBackend } from "../store/online/online-sweep-backend.js";
import { storeRoot } from "../store/open-reader.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteSweepBackend } from "./sqlite-sweep-backend.js";
import type { SweepBackend } from "./sweep-backend.js";

export interface SweepStoreOptions {
  /** The local store's folder (default RUNLOG_DIR, else ./runlog). */
  readonly dir?: string;
  /** "online": sweeps live on the team server at baseUrl (RUNLOG_BASE_URL), with apiKey (RUNLOG_API_KEY). */
  readonly mode?: "local" | "online";
  readonly baseUrl?: string;
  readonly apiKey?: string;
}

const env = (name: string): string | undefined => process.env[`RUNLOG_${name}`] || process.env[`WANDB_${name}`] || undefined;

/** The sweep store a process uses: the embedded SQLite store, or the team server when online. */
export function openSweepBackend(options: SweepStoreOptions = {}): SweepBackend {
  const mode = options.mode ?? (process.env.RUNLOG_MODE === "online" ? "online" : "local");
  if (mode === "online") {
    const baseUrl = options.baseUrl ?? env("BASE_URL");
    if (baseUrl === undefined) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        'Sweeps in mode "online" need the server\'s URL: pass baseUrl (or set RUNLOG_BASE_URL), e.g. "http://runlog.internal:8080".',
      );
    }
    return new OnlineSweepBackend(baseUrl, options.apiKey ?? env("API_KEY"));
  }
  return new SqliteSweepBackend(join(storeRoot(options.dir), DB_FILE));
}
