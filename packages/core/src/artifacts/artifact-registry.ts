import type Database from "better-sqlite3";
import { RunlogError } from "../errors.js";
import { guarded, textChecksum, verifyText } from "../store/sqlite/checksums.js";
import { openDatabase, withBusyRetry } from "../store/sqlite/database.js";
import { prepared } from "../store/sqlite/prepared.js";
import type { Manifest, ManifestEntry } from "./manifest.js";
import type { ContentHash, HashCache } from "./object-store.js";

export interface CollectionRef {
  readonly entity: string;
  readonly project: string;
  readonly name: string;
}

/** A committed artifact version as stored. */
export interface VersionRecord {
  readonly id: number;
  readonly entity: string;
  readonly project: string;
  readonly name: string;
  readonly type: string;
  readonly versionIndex: number;
  readonly digest: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly tags: string[];
  readonly manifest: Manifest;
  readonly size: number;
  readonly fileCount: number;
  readonly createdBy: string | undefined;
  readonly createdAt: number;
  readonly aliases: string[];
}

export interface CommitRequest extends CollectionRef {
  readonly type: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly tags: readonly string[];
  readonly manifest: Manifest;
  readonly digest: string;
  readonly size: number;
  readonly fileCount: number;
  readonly aliases: readonly string[];
  readonly runPath: string | undefined;
}

/** An `artifact_versions` row joined with its collection: the same columns in SQLite and PostgreSQL. */
export interface VersionRow {
  id: number;
  entity: string;
  project: string;
  name: string;
  type: string;
  version_index: number;
  digest: string;
  description: string | null;
  metadata: string;
  tags: string;
  manifest: string;
  size: number;
  file_count: number;
  created_by: string | null;
  created_at: number;
}

const VERSION_SELECT = `SELECT v.*, c.entity, c.project, c.name, c.type FROM artifact_versions v
  JOIN artifact_collections c ON c.id = v.collection_id`;

/**
 * Artifact metadata in runlog.db: versions v0…vN per collection, aliases (unique per
 * collection; `latest` always moves), registry links and run lineage. Every change is one
 * IMMEDIATE transaction, so concurrent writers never see a half-committed version.
 */
export class ArtifactRegistry implements HashCache {
  private readonly db: Database.Database;
  private readonly pendingHashes: [string, number, number, number, string, string][] = [];
  private readonly preloaded = new Map<string, { size: number; mtime_ms: number; ino: number; sha256: string; md5: string }>();

  constructor(dbPath: string) {
    this.db = openDatabase(dbPath);
  }

  close(): void {
    this.flushHashCache();
    this.db.close();
  }

  /** Hash-cache entries are written in one transaction (10,000 files must not cost 10,000 commits). */
  flushHashCache(): void {
    if (this.pendingHashes.length === 0) return;
    const insert = prepared(
      this.db,
      "INSERT OR REPLACE INTO hash_cache (path, size, mtime_ms, ino, sha256, md5) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const rows = this.pendingHashes.splice(0);
    this.transaction(() => {
      for (const row of rows) insert.run(...row);
    });
  }

  /** Commits a version, or returns the existing one with the same content (`created: false`). */
  commit(request: CommitRequest): { version: VersionRecord; created: boolean } {
    return this.transaction(() => {
      const collection = this.ensureCollection(request, request.type, "sequence");
      const existing = prepared(
        this.db,
        "SELECT id FROM artifact_versions WHERE collection_id = ? AND digest = ? ORDER BY version_index DESC LIMIT 1",
      ).get(collection, request.digest) as { id: number } | undefined;
      let versionId = existing?.id;
      if (versionId === undefined) {
        const next = prepared(
          this.db,
          "SELECT COALESCE(MAX(version_index), -1) + 1 AS n FROM artifact_versions WHERE collection_id = ?",
        ).get(collection) as { n: number };
        const json = [JSON.stringify(request.metadata), JSON.stringify(request.tags), JSON.stringify(request.manifest)] as const;
        versionId = Number(
          prepared(
            this.db,
            `INSERT INTO artifact_versions (collection_id, version_index, digest, description, metadata, tags, manifest, json_crc, size, file_count, created_by, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(
            collection,
            next.n,
            request.digest,
            request.description ?? null,
            ...json,
            textChecksum(...json),
            request.size,
            request.fileCount,
            request.runPath ?? null,
            Date.now() / 1000,
          ).lastInsertRowid,
        );
        this.setAlias(collection, "latest", versionId);
      }
      for (const alias of request.aliases) this.setAlias(collection, alias, versionId);
      if (request.runPath !== undefined) this.recordLineage(request.runPath, versionId, "output");
      return { version: this.versionById(versionId), created: existing === undefined };
    });
  }

  /** Resolves `alias` ("latest", "vN" or a custom alias) in a collection or a registry portfolio. */
  resolve(ref: CollectionRef, alias: string): VersionRecord {
    const collection = prepared(this.db, "SELECT id, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
      ref.entity,
      ref.project,
      ref.name,
    ) as { id: number; kind: string } | undefined;
    const where = `${ref.entity}/${ref.project}/${ref.name}:${alias}`;
    if (collection === undefined)
      throw new RunlogError(
        "ARTIFACT_NOT_FOUND",
        `Artifact ${where} was not found: no artifact of that name was logged in ${ref.entity}/${ref.project}.`,
      );
    let versionId: number | undefined;
    const numbered = /^v(\d+)$/.exec(alias);
    if (numbered) {
      const row =
        collection.kind === "portfolio"
          ? (prepared(this.db, "SELECT version_id AS id FROM artifact_links WHERE portfolio_id = ? AND link_index = ?").get(
              collection.id,
              Number(numbered[1]),
            ) as { id: number } | undefined)
          : (prepared(this.db, "SELECT id FROM artifact_versions WHERE collection_id = ? AND version_index = ?").get(
              collection.id,
              Number(numbered[1]),
            ) as { id: number } | undefined);
      versionId = row?.id;
    } else {
      const row = prepared(this.db, "SELECT version_id AS id FROM artifact_aliases WHERE collection_id = ? AND alias = ?").get(
        collection.id,
        alias,
      ) as { id: number } | undefined;
      versionId = row?.id;
    }
    if (versionId === undefined) throw new RunlogError("ARTIFACT_NOT_FOUND", `Artifact ${where} was not found: no version has that alias.`);
    return collection.kind === "portfolio" ? this.registryView(collection.id, ref, versionId) : this.versionById(versionId);
  }

  /** A linked version as seen through a registry collection: its path, link index and aliases. */
  private registryView(portfolioId: number, ref: CollectionRef, versionId: number): VersionRecord {
    const link = prepared(this.db, "SELECT link_index FROM artifact_links WHERE portfolio_id = ? AND version_id = ?").get(
      portfolioId,
      versionId,
    ) as { link_index: number };
    const aliases = (
      prepared(this.db, "SELECT alias FROM artifact_aliases WHERE collection_id = ? AND version_id = ? ORDER BY alias").all(
        portfolioId,
        versionId,
      ) as { alias: string }[]
    ).map((r) => r.alias);
    return {
      ...this.versionById(versionId),
      entity: ref.entity,
      project: ref.project,
      name: ref.name,
      versionIndex: link.link_index,
      aliases,
    };
  }

  /** Collections of a project with their version counts (for `runlog artifact ls`). */
  collections(entity: string, project: string): { name: string; type: string; kind: string; versions: number }[] {
    return prepared(
      this.db,
      `SELECT c.name, c.type, c.kind,
         CASE c.kind WHEN 'portfolio' THEN (SELECT COUNT(*) FROM artifact_links l WHERE l.portfolio_id = c.id)
                     ELSE (SELECT COUNT(*) FROM artifact_versions v WHERE v.collection_id = c.id) END AS versions
       FROM artifact_collections c WHERE c.entity = ? AND c.project = ? ORDER BY c.name`,
    ).all(entity, project) as { name: string; type: string; kind: string; versions: number }[];
  }

  /** Every version of a collection in order; for a registry collection, its links as `registryView` shows them. */
  versions(ref: CollectionRef): VersionRecord[] {
    const collection = prepared(this.db, "SELECT id, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
      ref.entity,
      ref.project,
      ref.name,
    ) as { id: number; kind: string } | undefined;
    if (collection?.kind === "portfolio") {
      const links = prepared(this.db, "SELECT version_id FROM artifact_links WHERE portfolio_id = ? ORDER BY link_index").all(
        collection.id,
      ) as {
        version_id: number;
      }[];
      return links.map((link) => this.registryView(collection.id, ref, link.version_id));
    }
    const rows = prepared(this.db, `${VERSION_SELECT} WHERE c.entity = ? AND c.project = ? AND c.name = ? ORDER BY v.version_index`).all(
      ref.entity,
      ref.project,
      ref.name,
    ) as VersionRow[];
    return rows.map((row) => this.toRecord(row));
  }

  /** Links a version into a registry collection (no copy); returns the link's index there. */
  link(versionId: number, portfolio: CollectionRef, aliases: readonly string[]): number {
    return this.transaction(() => {
      const version = this.versionById(versionId);
      const collection = this.ensureCollection(portfolio, version.type, "portfolio");
      const existing = prepared(this.db, "SELECT link_index FROM artifact_links WHERE portfolio_id = ? AND version_id = ?").get(
        collection,
        versionId,
      ) as { link_index: number } | undefined;
      let index = existing?.link_index;
      if (index === undefined) {
        index = (
          prepared(this.db, "SELECT COALESCE(MAX(link_index), -1) + 1 AS n FROM artifact_links WHERE portfolio_id = ?").get(collection) as {
            n: number;
          }
        ).n;
        prepared(this.db, "INSERT INTO artifact_links (portfolio_id, link_index, version_id, created_at) VALUES (?, ?, ?, ?)").run(
          collection,
          index,
          versionId,
          Date.now() / 1000,
        );
        this.setAlias(collection, "latest", versionId);
      }
      for (const alias of aliases) this.setAlias(collection, alias, versionId);
      return index;
    });
  }

  /** Adds files to the pending version `distributedId` of a collection (upsertArtifact). */
  upsertDraft(ref: CollectionRef, distributedId: string, type: string, contents: Readonly<Record<string, ManifestEntry>>): void {
    const insert = prepared(
      this.db,
      `INSERT OR REPLACE INTO artifact_drafts (entity, project, name, distributed_id, type, path, digest, size, sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.transaction(() => {
      const other = prepared(
        this.db,
        "SELECT type FROM artifact_drafts WHERE entity = ? AND project = ? AND name = ? AND distributed_id = ? AND type <> ? LIMIT 1",
      ).get(ref.entity, ref.project, ref.name, distributedId, type) as { type: string } | undefined;
      if (other !== undefined)
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `Pending artifact ${ref.name} (${distributedId}) has type "${other.type}", not "${type}".`,
        );
      for (const [path, entry] of Object.entries(contents)) {
        insert.run(ref.entity, ref.project, ref.name, distributedId, type, path, entry.digest, entry.size, entry.extra?.sha256 ?? "");
      }
    });
  }

  /** Takes (and deletes) every file of a pending version, inside the caller's transaction. */
  takeDraft(ref: CollectionRef, distributedId: string): Record<string, ManifestEntry> {
    const rows = prepared(
      this.db,
      "SELECT path, digest, size, sha256 FROM artifact_drafts WHERE entity = ? AND project = ? AND name = ? AND distributed_id = ?",
    ).all(ref.entity, ref.project, ref.name, distributedId) as { path: string; digest: string; size: number; sha256: string }[];
    prepared(this.db, "DELETE FROM artifact_drafts WHERE entity = ? AND project = ? AND name = ? AND distributed_id = ?").run(
      ref.entity,
      ref.project,
      ref.name,
      distributedId,
    );
    return Object.fromEntries(rows.map((r) => [r.path, { digest: r.digest, size: r.size, extra: { sha256: r.sha256 } }]));
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls join it). */
  atomically<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.transaction(fn);
  }

  /** Points `aliases` at a version (moving them from other versions of its collection). */
  addAliases(versionId: number, aliases: readonly string[]): VersionRecord {
    return this.transaction(() => {
      const row = prepared(this.db, "SELECT collection_id FROM artifact_versions WHERE id = ?").get(versionId) as { collection_id: number };
      for (const alias of aliases) this.setAlias(row.collection_id, alias, versionId);
      return this.versionById(versionId);
    });
  }

  recordLineage(runPath: string, versionId: number, direction: "input" | "output"): void {
    withBusyRetry(() =>
      prepared(this.db, "INSERT OR IGNORE INTO artifact_lineage (run_path, version_id, direction, created_at) VALUES (?, ?, ?, ?)").run(
        runPath,
        versionId,
        direction,
        Date.now() / 1000,
      ),
    );
  }

  runArtifacts(runPath: string, direction: "input" | "output"): VersionRecord[] {
    const rows = prepared(
      this.db,
      `${VERSION_SELECT} JOIN artifact_lineage l ON l.version_id = v.id WHERE l.run_path = ? AND l.direction = ? ORDER BY l.created_at, v.id`,
    ).all(runPath, direction) as VersionRow[];
    return rows.map((row) => this.toRecord(row));
  }

  /** Runs and artifact versions reachable from a run or a version, to `depth` hops (edges run→artifact and artifact→run). */
  lineage(
    start: { runPath: string } | { versionId: number },
    depth = Number.POSITIVE_INFINITY,
  ): { runs: string[]; versions: VersionRecord[]; edges: { from: string; to: string }[] } {
    const runs = new Set<string>();
    const versions = new Map<number, VersionRecord>();
    const edges = new Set<string>();
    let frontier: ({ runPath: string } | { versionId: number })[] = [start];
    for (let hop = 0; hop <= depth && frontier.length > 0; hop++) {
      const next: typeof frontier = [];
      for (const node of frontier) {
        if ("runPath" in node) {
          if (runs.has(node.runPath)) continue;
          runs.add(node.runPath);
          const rows = prepared(this.db, "SELECT version_id, direction FROM artifact_lineage WHERE run_path = ?").all(node.runPath) as {
            version_id: number;
            direction: string;
          }[];
          for (const row of rows) {
            edges.add(edge(node.runPath, row.version_id, row.direction));
            next.push({ versionId: row.version_id });
          }
        } else {
          if (versions.has(node.versionId)) continue;
          versions.set(node.versionId, this.versionById(node.versionId));
          const rows = prepared(this.db, "SELECT run_path, direction FROM artifact_lineage WHERE version_id = ?").all(node.versionId) as {
            run_path: string;
            direction: string;
          }[];
          for (const row of rows) {
            edges.add(edge(row.run_path, node.versionId, row.direction));
            next.push({ runPath: row.run_path });
          }
        }
      }
      frontier = next;
    }
    return {
      runs: [...runs],
      versions: [...versions.values()],
      edges: [...edges].map((e) => {
        const [from, to] = JSON.parse(e) as [string, string];
        return { from, to };
      }),
    };
  }

  /** Loads the cache rows of `paths` in a few queries, so per-file lookups are in memory (10,000 files, one pass). */
  preload(paths: readonly string[]): void {
    for (let i = 0; i < paths.length; i += 500) {
      const chunk = paths.slice(i, i + 500);
      const rows = this.db
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
    const row = prepared(this.db, "SELECT sha256, md5 FROM hash_cache WHERE path = ? AND size = ? AND mtime_ms = ? AND ino = ?").get(
      path,
      size,
      mtimeMs,
      ino,
    ) as { sha256: string; md5: string } | undefined;
    return row === undefined ? undefined : { sha256: row.sha256, md5: row.md5, size };
  }

  set(path: string, size: number, mtimeMs: number, ino: number, hash: ContentHash): void {
    this.pendingHashes.push([path, size, mtimeMs, ino, hash.sha256, hash.md5]);
  }

  /** A version by its id; throws ARTIFACT_NOT_FOUND when there is none. */
  versionById(id: number): VersionRecord {
    const row = prepared(this.db, `${VERSION_SELECT} WHERE v.id = ?`).get(id) as VersionRow | undefined;
    if (row === undefined) throw new RunlogError("ARTIFACT_NOT_FOUND", `No artifact version with id ${id}.`);
    return this.toRecord(row);
  }

  /** A stored version as readers see it; damaged metadata, tags or manifest text is STORE_CORRUPT, never served. */
  private toRecord(row: VersionRow & { json_crc?: number | null }): VersionRecord {
    verifyText(this.db.name, row.json_crc ?? null, [row.metadata, row.tags, row.manifest], () => {
      return `the manifest of artifact ${row.entity}/${row.project}/${row.name}:v${row.version_index}`;
    });
    const aliases = (
      prepared(
        this.db,
        "SELECT alias FROM artifact_aliases WHERE version_id = ? AND collection_id = (SELECT collection_id FROM artifact_versions WHERE id = ?) ORDER BY alias",
      ).all(row.id, row.id) as { alias: string }[]
    ).map((r) => r.alias);
    return guarded(this.db.name, () => versionRecordOf(row, aliases));
  }

  private ensureCollection(ref: CollectionRef, type: string, kind: "sequence" | "portfolio"): number {
    const existing = prepared(this.db, "SELECT id, type, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
      ref.entity,
      ref.project,
      ref.name,
    ) as { id: number; type: string; kind: string } | undefined;
    if (existing !== undefined) {
      if (existing.type !== type) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `Artifact ${ref.entity}/${ref.project}/${ref.name} has type "${existing.type}"; cannot add a version of type "${type}". Use another name.`,
        );
      }
      return existing.id;
    }
    return Number(
      prepared(this.db, "INSERT INTO artifact_collections (entity, project, name, type, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
        ref.entity,
        ref.project,
        ref.name,
        type,
        kind,
        Date.now() / 1000,
      ).lastInsertRowid,
    );
  }

  private setAlias(collection: number, alias: string, versionId: number): void {
    prepared(
      this.db,
      "INSERT INTO artifact_aliases (collection_id, alias, version_id) VALUES (?, ?, ?) ON CONFLICT (collection_id, alias) DO UPDATE SET version_id = excluded.version_id",
    ).run(collection, alias, versionId);
  }

  private transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return withBusyRetry(() => this.db.transaction(fn).immediate());
  }
}

/** A version row and its aliases as readers see them. */
export function versionRecordOf(row: VersionRow, aliases: string[]): VersionRecord {
  return {
    id: row.id,
    entity: row.entity,
    project: row.project,
    name: row.name,
    type: row.type,
    versionIndex: row.version_index,
    digest: row.digest,
    description: row.description ?? undefined,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    tags: JSON.parse(row.tags) as string[],
    manifest: JSON.parse(row.manifest) as Manifest,
    size: row.size,
    fileCount: row.file_count,
    createdBy: row.created_by ?? undefined,
    createdAt: row.created_at,
    aliases,
  };
}

/** A lineage edge as a set key: run → artifact for outputs, artifact → run for inputs. */
function edge(runPath: string, versionId: number, direction: string): string {
  const run = `run:${runPath}`;
  const artifact = `artifact:${versionId}`;
  return JSON.stringify(direction === "output" ? [run, artifact] : [artifact, run]);
}
