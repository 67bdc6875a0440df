import type { ManifestEntry } from "./manifest.js";
import type { ContentHash, HashCache } from "./object-store.js";
import { takeDraft, upsertDraft } from "./registry/drafts.js";
import { SqliteHashCache } from "./registry/hash-cache.js";
import { lineage, recordLineage, runArtifacts } from "./registry/lineage.js";
import { linkVersion } from "./registry/links.js";
import { RegistryDb, type RegistryOptions } from "./registry/registry-db.js";
import type { CollectionRef, CommitRequest, VersionRecord } from "./registry/version-record.js";
import { addAliases, commitVersion, listCollections, listVersions, resolveAlias } from "./registry/versions.js";

export type { CommitStep, RegistryOptions } from "./registry/registry-db.js";
export {
  type CollectionRef,
  type CommitRequest,
  VERSION_SELECT,
  type VersionRecord,
  type VersionRow,
  versionRecordOf,
} from "./registry/version-record.js";

/**
 * Artifact metadata in runlog.db: versions v0…vN per collection, aliases (unique per
 * collection; `latest` always moves), registry links and run lineage. Every change is one
 * IMMEDIATE transaction, so concurrent writers never see a half-committed version.
 * Each concern lives in `registry/`; this class is the one handle the artifact service holds.
 */
export class ArtifactRegistry implements HashCache {
  private readonly registry: RegistryDb;
  private readonly hashes: SqliteHashCache;

  constructor(dbPath: string, options: RegistryOptions = {}) {
    this.registry = new RegistryDb(dbPath, options);
    this.hashes = new SqliteHashCache(this.registry);
  }

  close(): void {
    this.flushHashCache();
    this.registry.db.close();
  }

  /** Hash-cache entries are written in one transaction (10,000 files must not cost 10,000 commits). */
  flushHashCache(): void {
    this.hashes.flush();
  }

  /** Commits a version, or returns the existing one with the same content (`created: false`). */
  commit(request: CommitRequest): { version: VersionRecord; created: boolean } {
    return commitVersion(this.registry, request);
  }

  /** Resolves `alias` ("latest", "vN" or a custom alias) in a collection or a registry portfolio. */
  resolve(ref: CollectionRef, alias: string): VersionRecord {
    return resolveAlias(this.registry, ref, alias);
  }

  /** Collections of a project with their version counts (for `runlog artifact ls`). */
  collections(entity: string, project: string): { name: string; type: string; kind: string; versions: number }[] {
    return listCollections(this.registry, entity, project);
  }

  /** Every version of a collection in order; for a registry collection, its links. */
  versions(ref: CollectionRef): VersionRecord[] {
    return listVersions(this.registry, ref);
  }

  /** Links a version into a registry collection (no copy); returns the link's index there. */
  link(versionId: number, portfolio: CollectionRef, aliases: readonly string[]): number {
    return linkVersion(this.registry, versionId, portfolio, aliases);
  }

  /** Adds files to the pending version `distributedId` of a collection (upsertArtifact). */
  upsertDraft(ref: CollectionRef, distributedId: string, type: string, contents: Readonly<Record<string, ManifestEntry>>): void {
    upsertDraft(this.registry, ref, distributedId, type, contents);
  }

  /** Takes (and deletes) every file of a pending version, inside the caller's transaction. */
  takeDraft(ref: CollectionRef, distributedId: string): Record<string, ManifestEntry> {
    return takeDraft(this.registry, ref, distributedId);
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls join it). */
  atomically<T>(fn: () => T): T {
    return this.registry.transaction(fn);
  }

  /** Points `aliases` at a version (moving them from other versions of its collection). */
  addAliases(versionId: number, aliases: readonly string[]): VersionRecord {
    return addAliases(this.registry, versionId, aliases);
  }

  recordLineage(runPath: string, versionId: number, direction: "input" | "output"): void {
    recordLineage(this.registry, runPath, versionId, direction);
  }

  runArtifacts(runPath: string, direction: "input" | "output"): VersionRecord[] {
    return runArtifacts(this.registry, runPath, direction);
  }

  /** Runs and artifact versions reachable from a run or a version, to `depth` hops (edges run→artifact and artifact→run). */
  lineage(
    start: { runPath: string } | { versionId: number },
    depth = Number.POSITIVE_INFINITY,
  ): { runs: string[]; versions: VersionRecord[]; edges: { from: string; to: string }[] } {
    return lineage(this.registry, start, depth);
  }

  /** Loads the cache rows of `paths` in a few queries, so per-file lookups are in memory. */
  preload(paths: readonly string[]): void {
    this.hashes.preload(paths);
  }

  get(path: string, size: number, mtimeMs: number, ino: number): ContentHash | undefined {
    return this.hashes.get(path, size, mtimeMs, ino);
  }

  set(path: string, size: number, mtimeMs: number, ino: number, hash: ContentHash): void {
    this.hashes.set(path, size, mtimeMs, ino, hash);
  }

  /** A version by its id; throws ARTIFACT_NOT_FOUND when there is none. */
  versionById(id: number): VersionRecord {
    return this.registry.versionById(id);
  }
}
