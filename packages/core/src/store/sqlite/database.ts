import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { RunlogError } from "../../errors.js";
import { isDamage } from "./checksums.js";
import { migrate } from "./schema.js";

export const DB_FILE = "runlog.db";
/** 16 KiB pages: a chunk's 8 KiB value blob fits in its leaf page, so reading it needs no overflow-chain walk (bench/series.mjs). */
const PAGE_SIZE = 16384;

/**
 * Creates a missing store whole: the schema is built in memory, written to a temporary file (fsynced)
 * and hard-linked into place, so a process opening a fresh root skips the on-disk WAL switch and
 * migration commit (~45 ms of syncs on a fresh root, measured in bench/init-finish.mjs), and
 * concurrent openers see no file or a whole one. Where links are refused, the caller migrates as before.
 */
export function createFromTemplate(path: string): void {
  const memory = new Database(":memory:");
  let bytes: Buffer;
  try {
    memory.pragma(`page_size = ${PAGE_SIZE}`);
    migrate(memory);
    bytes = memory.serialize();
  } finally {
    memory.close();
  }
  // File format versions 2/2: the file opens in WAL mode, as the pragma below would make it.
  bytes[18] = 2;
  bytes[19] = 2;
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const fd = openSync(temporary, "wx");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temporary, path); // EEXIST: another process created it first, and that one is used
  } catch {
    // Not created here (another process won, or no hard links): opened or migrated as it is.
  } finally {
    rmSync(temporary, { force: true });
  }
}

/**
 * Opens runlog.db the way every process must: WAL (readers never block the writer),
 * a busy timeout, NORMAL sync (the transaction log is our durability), foreign keys.
 */
export function openDatabase(path: string): Database.Database {
  mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database | undefined;
  try {
    if (!existsSync(path)) createFromTemplate(path);
    db = new Database(path, { timeout: 10_000 });
    // Only takes effect when the file is created here (createFromTemplate could not link it).
    db.pragma(`page_size = ${PAGE_SIZE}`);
    withBusyRetry(() => {
      (db as Database.Database).pragma("journal_mode = WAL");
    });
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    db.pragma("cache_size = -8000"); // 8 MB: chunks are written once and read by range
    withBusyRetry(() => migrate(db as Database.Database));
    return db;
  } catch (error) {
    db?.close();
    if (RunlogError.isInstance(error)) throw error;
    // STORE_ERROR, as it always was at open; a damaged file says how to rebuild it.
    const advice = isDamage(error) ? ". Run `runlog doctor`, then `runlog sync --rebuild` to rebuild it from the runs' logs" : "";
    throw new RunlogError("STORE_ERROR", `Cannot open the runlog store at ${path}: ${(error as Error).message}${advice}`, {
      cause: error,
    });
  }
}

const BUSY_CODES = new Set(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_RECOVERY", "SQLITE_LOCKED"]);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `fn`, retrying while another process holds the write lock. Many processes
 * share one root; a busy error must never reach the user, so we wait (with backoff)
 * for as long as it takes — callers bound the overall wait with their own timeouts.
 */
export function withBusyRetry<T>(fn: () => T, maxWaitMs = 10 * 60_000): T {
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === undefined || !BUSY_CODES.has(code) || Date.now() - started > maxWaitMs) throw error;
      Atomics.wait(sleeper, 0, 0, delay + Math.random() * delay);
      delay = Math.min(delay * 2, 250);
    }
  }
}
