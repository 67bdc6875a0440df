import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The store's database file inside a runlog root (core's DB_FILE). */
const DB_FILE = "runlog.db";

export interface StoreDir {
  readonly root: string;
  /** Whether a store exists there; readers answer "nothing" without creating one when not. */
  readonly exists: boolean;
}

/** The runlog root: --dir, else RUNLOG_DIR (empty = unset), else ./runlog. */
export function resolveRoot(dir: string | undefined): string {
  return resolve(dir ?? (process.env.RUNLOG_DIR || undefined) ?? "./runlog");
}

/**
 * The root a reading command opens. A root with no store is usually a wrong --dir or working
 * folder, so it is said out loud (on stderr) instead of quietly creating an empty store there.
 */
export function storeToRead(
  dir: string | undefined,
  warn: (line: string) => void,
  command: string,
  /** What happens next, for a command that goes on with an empty store (`ui`, `server`). */
  next = "nothing was logged there",
): StoreDir {
  const root = resolveRoot(dir);
  const exists = existsSync(join(root, DB_FILE));
  if (!exists) {
    const source = dir !== undefined ? "--dir" : process.env.RUNLOG_DIR ? "RUNLOG_DIR" : "the default ./runlog";
    warn(
      `runlog ${command}: warning: no runlog store in ${root} (from ${source}); ${next}. Pass --dir <root> (the folder holding runlog.db) or set RUNLOG_DIR.`,
    );
  }
  return { root, exists };
}
