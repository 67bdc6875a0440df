import { prepared } from "../../store/sqlite/prepared.js";
import type { ContentHash, HashCache } from "../object-store.js";
import type { RegistryDb } from "./registry-db.js";

/**
 * The hash cache in runlog.db: a file's hashes keyed by path, size, mtime and inode, so an
 * unchanged file is not read again when it is logged again.
 */
export class SqliteHashCache implements HashCache {
  private readonly pending: [string, number, number, number, string, string][] = [];
  private readonly preloaded = new Map<string, { size: number; mtime_ms: number; ino: number; sha256: string; md5: string }>();

  constructor(private readonly registry: RegistryDb) {}

  /** Hash-cache entries are written in one transaction (10,000 files must not cost 10,000 commits). */
  flush(): void {
    if (this.pending.length === 0) return;
    const insert = prepared(
      this.registry.db,
      "INSERT OR REPLACE INTO hash_cache (path, size, mtime_ms, ino, sha256, md5) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const rows = this.pending.splice(0);
    this.registry.transaction(() => {
      for (const row of rows) insert.run(...row);
    });
  }

  /** Loads the cache rows of `paths` in a few queries, so per-file lookups are in memory (10,000 files, one pass). */
  preload(paths: readonly string[]): void {
    for (let i = 0; i < paths.length; i += 500) {
      const chunk = paths.slice(i, i + 500);
      const rows = this.registry.db
        .prepare(`SELECT path, size, mtime_ms, ino, sha256, md5 FROM hash_cache WHERE path IN (${chunk.map(() => "?").join(",")})`)
        .all(...chunk) as { path: string; size: number; mtime_ms: number; ino: number; sha256: string; md5: string }[];
      for (const row of rows) this.preloaded.set(row.path, row);
    }
  }

  get(path: string, size: number, mtimeMs: number, ino: number): ContentHash | undefined {
    const known = this.preloaded.get(path);
    if (known !== undefined) {
      return known.size === size && known.mtime_ms === mtimeMs && known.ino === ino
        ? { sha256: known.sha256, md5: known.md5, size }
        : undefined;
    }
    const row = prepared(
      this.registry.db,
      "SELECT sha256, md5 FROM hash_cache WHERE path = ? AND size = ? AND mtime_ms = ? AND ino = ?",
    ).get(path, size, mtimeMs, ino) as { sha256: string; md5: string } | undefined;
    return row === undefined ? undefined : { sha256: row.sha256, md5: row.md5, size };
  }

  set(path: string, size: number, mtimeMs: number, ino: number, hash: ContentHash): void {
    this.pending.push([path, size, mtimeMs, ino, hash.sha256, hash.md5]);
  }
}
