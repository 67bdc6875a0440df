import { existsSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { RunlogError } from "../../errors.js";
import { type DamagedLogRange, readTransactionLog } from "../../pipeline/transaction-log.js";
import { listRunFolders } from "../../run/run-folder.js";
import { blobChecksum, pageChecksum, registerChecksumFunction } from "./checksums.js";
import { DB_FILE } from "./database.js";
import { listRunLogs, type ReplayResult, SqliteStore } from "./sqlite-store.js";

/** What `runlog doctor` found in a store file. */
export interface StoreCheck {
  readonly path: string;
  readonly exists: boolean;
  /** SQLite's integrity_check messages, and checksum mismatches; empty when the store is sound. */
  readonly problems: string[];
}

export interface LogCheck {
  readonly file: string;
  readonly tornBytes: number;
  readonly damaged: readonly DamagedLogRange[];
  /** Set when the file could not be read as a log at all. */
  readonly error?: string;
}

/** Run folders under `<root>/runs`, in either layout (core's `listRunFolders`). */
export function findRunDirs(root: string): string[] {
  return listRunFolders(root).map((folder) => folder.dir);
}

/** Stored JSON text and its checksum (schema 6): a query per table naming each row that does not match. */
const TEXT_CHECKS: readonly { readonly sql: string; readonly what: (row: Record<string, unknown>) => string }[] = [
  ...(["config", "summary", "metrics", "metadata", "tags"] as const).map((column) => ({
    sql: `SELECT entity, project, run_id FROM runs WHERE ${column}_crc IS NOT NULL AND ${column}_crc IS NOT runlog_crc32(${column})`,
    what: (row: Record<string, unknown>) => `the ${column} of run ${row.entity}/${row.project}/${row.run_id}`,
  })),
  {
    sql: "SELECT h.step, r.entity, r.project, r.run_id FROM history_rows h LEFT JOIN runs r ON r.pk = h.run_pk WHERE h.crc IS NOT NULL AND h.crc IS NOT runlog_crc32(h.data)",
    what: (row) => `history row ${row.step} of run ${row.entity}/${row.project}/${row.run_id}`,
  },
  {
    sql: "SELECT s.span_id, r.entity, r.project, r.run_id FROM spans s LEFT JOIN runs r ON r.pk = s.run_pk WHERE s.crc IS NOT NULL AND s.crc IS NOT runlog_crc32(s.data)",
    what: (row) => `span ${row.span_id} of run ${row.entity}/${row.project}/${row.run_id}`,
  },
  {
    sql: `SELECT v.version_index, c.entity, c.project, c.name FROM artifact_versions v LEFT JOIN artifact_collections c ON c.id = v.collection_id
          WHERE v.json_crc IS NOT NULL AND v.json_crc IS NOT runlog_crc32(v.metadata, v.tags, v.manifest)`,
    what: (row) => `the manifest of artifact ${row.entity}/${row.project}/${row.name}:v${row.version_index}`,
  },
];

/**
 * SQLite's own integrity check, then every chunk blob, index page and stored JSON text against its checksum. Read-only.
 * `quick`: SQLite's quick_check only (no index cross-check, no checksums): cheap enough to run
 * before every sync that finds signs of an unclean shutdown.
 */
export function checkStore(path: string, options: { quick?: boolean } = {}): StoreCheck {
  if (!existsSync(path)) return { path, exists: false, problems: [] };
  const problems: string[] = [];
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const pragma = options.quick ? "quick_check" : "integrity_check";
    const integrity = db.pragma(pragma) as Record<string, string>[];
    for (const row of integrity) if (row[pragma] !== "ok") problems.push(row[pragma] as string);
    if (options.quick) return { path, exists: true, problems };
    // A store from before checksums (schema < 5) has nothing more to verify.
    if (db.prepare("SELECT 1 FROM pragma_table_info('series_blobs') WHERE name = 'crc'").get() === undefined) {
      return { path, exists: true, problems };
    }
    const blobs = db.prepare("SELECT id, steps, vals, crc FROM series_blobs WHERE crc IS NOT NULL");
    for (const row of blobs.iterate() as Iterable<{ id: number; steps: Buffer; vals: Buffer; crc: number }>) {
      if (blobChecksum(row.steps, row.vals) !== row.crc) problems.push(`series chunk blob ${row.id} does not match its checksum`);
    }
    const pages = db.prepare("SELECT key_id, page, stats, crc FROM series_index WHERE crc IS NOT NULL");
    for (const row of pages.iterate() as Iterable<{ key_id: number; page: number; stats: Buffer; crc: number }>) {
      if (pageChecksum(row.stats) !== row.crc)
        problems.push(`series index page ${row.page} of key ${row.key_id} does not match its checksum`);
    }
    // A store from before text checksums (schema < 6) has no more to verify.
    if (db.prepare("SELECT 1 FROM pragma_table_info('history_rows') WHERE name = 'crc'").get() === undefined) {
      return { path, exists: true, problems };
    }
    registerChecksumFunction(db);
    for (const check of TEXT_CHECKS) {
      for (const row of db.prepare(check.sql).iterate() as Iterable<Record<string, unknown>>) {
        problems.push(`${check.what(row)} does not match its checksum`);
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  } finally {
    db?.close();
  }
  return { path, exists: true, problems };
}

/** Reads every log of every run under `root`, reporting torn tails and damage. */
export function checkLogs(root: string): LogCheck[] {
  const checks: LogCheck[] = [];
  for (const dir of findRunDirs(root)) {
    for (const file of listRunLogs(dir)) {
      try {
        checks.push({ file, ...readTransactionLog(file, () => {}) });
      } catch (error) {
        checks.push({ file, tornBytes: 0, damaged: [], error: (error as Error).message });
      }
    }
  }
  return checks;
}

export interface RebuildResult {
  readonly path: string;
  /** Where the previous store was moved (undefined when there was none). */
  readonly keptAs: string | undefined;
  readonly runs: readonly ({ readonly runDir: string } & ReplayResult)[];
  readonly failed: readonly { readonly runDir: string; readonly error: RunlogError }[];
  /** Whether the artifact registry (kept only in the store) was carried over from the old file. */
  readonly artifacts: "copied" | "none" | "lost";
}

const ARTIFACT_TABLES = [
  "artifact_collections",
  "artifact_versions",
  "artifact_aliases",
  "artifact_links",
  "artifact_lineage",
  "artifact_drafts",
  "hash_cache",
  // Sweeps, too, live only in the store (the controller's memory): carried over the same way.
  "sweeps",
  "sweep_trials",
];

/**
 * Builds a fresh store from every run's transaction logs; the old file is kept aside
 * (`runlog.db.damaged-<time>`), never deleted. Runs replay oldest first, so a fork finds its parent.
 * Artifacts live only in the store: their tables are copied from the old file when it still reads.
 */
export function rebuildStore(root: string): RebuildResult {
  const path = join(root, DB_FILE);
  let keptAs: string | undefined;
  if (existsSync(path)) {
    keptAs = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, keptAs);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(path + suffix)) renameSync(path + suffix, keptAs + suffix);
  }
  const store = new SqliteStore(path);
  const runs: ({ runDir: string } & ReplayResult)[] = [];
  const failed: { runDir: string; error: RunlogError }[] = [];
  let artifacts: RebuildResult["artifacts"] = "none";
  try {
    const started = (dir: string) => {
      const first = listRunLogs(dir)[0] as string;
      const stat = statSync(first);
      return stat.birthtimeMs > 0 ? stat.birthtimeMs : stat.mtimeMs;
    };
    for (const runDir of findRunDirs(root).sort((a, b) => started(a) - started(b))) {
      try {
        runs.push({ runDir, ...store.replayRunDir(runDir) });
      } catch (error) {
        const wrapped = RunlogError.isInstance(error)
          ? error
          : new RunlogError("STORE_ERROR", `Cannot replay ${runDir}: ${(error as Error).message}`, { cause: error });
        failed.push({ runDir, error: wrapped });
      }
    }
    if (keptAs !== undefined) artifacts = copyArtifacts(store.db, keptAs);
  } finally {
    store.close();
  }
  return { path, keptAs, runs, failed, artifacts };
}

function copyArtifacts(db: Database.Database, oldPath: string): RebuildResult["artifacts"] {
  try {
    db.prepare("ATTACH DATABASE ? AS old").run(oldPath);
  } catch {
    return "lost";
  }
  try {
    let copied = false;
    db.transaction(() => {
      for (const table of ARTIFACT_TABLES) {
        const oldColumns = new Set(
          (db.prepare(`SELECT name FROM pragma_table_info(?, 'old')`).all(table) as { name: string }[]).map((c) => c.name),
        );
        const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[])
          .map((c) => c.name)
          .filter((name) => oldColumns.has(name));
        if (columns.length === 0) continue;
        const list = columns.map((c) => `"${c}"`).join(", ");
        copied = db.prepare(`INSERT INTO main.${table} (${list}) SELECT ${list} FROM old.${table}`).run().changes > 0 || copied;
      }
      // Versions copied from a store older than text checksums get theirs now.
      db.prepare("UPDATE artifact_versions SET json_crc = runlog_crc32(metadata, tags, manifest) WHERE json_crc IS NULL").run();
    })();
    return copied ? "copied" : "none";
  } catch {
    return "lost";
  } finally {
    db.prepare("DETACH DATABASE old").run();
  }
}
