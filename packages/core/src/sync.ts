import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { RunlogError } from "./errors.js";
import type { DamagedLogRange } from "./pipeline/transaction-log.js";
import { rootOfRunFolder } from "./run/run-folder.js";
import { isLockHeld } from "./run/run-lock.js";
import { writerLockPath } from "./run/shared-writer.js";
import { DB_FILE } from "./store/sqlite/database.js";
import { listRunLogs, SqliteStore } from "./store/sqlite/sqlite-store.js";

export interface SyncResult {
  readonly runDir: string;
  readonly files: number;
  readonly records: number;
  /** Records that were new to the store; 0 when syncing again. */
  readonly applied: number;
  /** Bytes at the end of a log that a crash left half-written (ignored). */
  readonly tornBytes: number;
  /** Damaged log bytes skipped (LOG_CORRUPT): the records in them are lost, every intact one was applied. */
  readonly damaged: readonly DamagedLogRange[];
}

/** One line per damaged range, for warnings. */
export function describeDamage(range: DamagedLogRange): string {
  const around =
    range.afterSeq === undefined && range.beforeSeq === undefined
      ? ""
      : ` (records after seq ${range.afterSeq ?? "none"}${range.beforeSeq === undefined ? "" : ` and before seq ${range.beforeSeq}`} are lost)`;
  return `${range.file}: bytes ${range.start}–${range.end - 1} are damaged and were skipped${around}`;
}

/** The runlog root a run folder lives in (`<root>/runs/<entity>/<project>/<id>`, or an older `<root>/runs/<id>`): where its store is by default. */
export function defaultStoreRoot(runDir: string): string {
  return rootOfRunFolder(runDir);
}

/**
 * Replays a run folder's transaction logs into the embedded store of `root`
 * (default: the root the folder lives in, `<root>/runs/<entity>/<project>/<id>`, or an older
 * root's `<root>/runs/<id>`). Idempotent.
 */
export function syncRunDir(runDir: string, options: { root?: string } = {}): SyncResult {
  const dir = resolve(runDir);
  if (!existsSync(dir) || listRunLogs(dir).length === 0) {
    throw new RunlogError(
      "RUN_NOT_FOUND",
      `${dir} holds no runlog transaction log (attempt-*.rlog); pass a run folder like ./runlog/runs/<entity>/<project>/<id>, or use \`runlog sync --all\`.`,
    );
  }
  const root = resolve(options.root ?? defaultStoreRoot(dir));
  const store = new SqliteStore(join(root, DB_FILE));
  try {
    // A shared-mode writer that is still live appends to its log (and owns its chunks): its own process saves it.
    return { runDir: dir, ...store.replayRunDir(dir, undefined, (label) => isLockHeld(writerLockPath(dir, label))) };
  } catch (error) {
    if (RunlogError.isInstance(error)) throw error;
    // Nothing half-applied stays: each batch is one transaction, and a rerun continues after the last one.
    throw new RunlogError(
      "STORE_ERROR",
      `Cannot write ${dir}'s records into ${join(root, DB_FILE)}: ${(error as Error).message}. Fix that (free disk space?) and run sync again; it continues where it stopped.`,
      { cause: error },
    );
  } finally {
    store.close();
  }
}
