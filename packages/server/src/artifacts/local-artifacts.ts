import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  ArtifactRegistry,
  type CollectionRef,
  type CommitRequest,
  DB_FILE,
  LocalObjectStore,
  type ManifestEntry,
  type VersionRecord,
} from "@runlog/core/store-kit";
import { LocalObjectGrants, type ObjectGrants } from "./object-grants.js";
import {
  type CollectionSummary,
  type DraftCommit,
  draftCommitRequest,
  type LineageStart,
  type ServerArtifacts,
} from "./server-artifacts.js";

/** Artifacts of a server on the embedded store: the registry in runlog.db, objects under the root. */
export class LocalArtifacts implements ServerArtifacts {
  readonly objects: LocalObjectStore;
  readonly grants: ObjectGrants;
  private readonly dbPath: string;

  constructor(root: string) {
    this.objects = new LocalObjectStore(root);
    this.dbPath = join(root, DB_FILE);
    this.grants = new LocalObjectGrants(root, (id) => this.versionsAfter(id));
  }

  private with<T>(fn: (registry: ArtifactRegistry) => T): T {
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      return fn(registry);
    } finally {
      registry.close();
    }
  }

  async commit(request: CommitRequest) {
    return this.with((registry) => registry.commit(request));
  }

  async upsertDraft(ref: CollectionRef, distributedId: string, type: string, contents: Readonly<Record<string, ManifestEntry>>) {
    this.with((registry) => registry.upsertDraft(ref, distributedId, type, contents));
  }

  async finishDraft(request: DraftCommit, distributedId: string, contents: Readonly<Record<string, ManifestEntry>>) {
    return this.with((registry) =>
      registry.atomically(() => {
        const merged = { ...registry.takeDraft(request, distributedId), ...contents };
        return registry.commit(draftCommitRequest(request, merged, distributedId));
      }),
    );
  }

  async collections(entity: string, project: string): Promise<CollectionSummary[]> {
    if (!existsSync(this.dbPath)) return [];
    return this.with((registry) => registry.collections(entity, project));
  }

  async resolve(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<VersionRecord> {
    return this.with((registry) => {
      const record = registry.resolve(ref, alias);
      if (runPath !== undefined) registry.recordLineage(runPath, record.id, "input");
      return record;
    });
  }

  async link(versionId: number, portfolio: CollectionRef, aliases: readonly string[]): Promise<VersionRecord> {
    return this.with((registry) => registry.resolve(portfolio, `v${registry.link(versionId, portfolio, aliases)}`));
  }

  async addAliases(versionId: number, aliases: readonly string[]): Promise<VersionRecord> {
    return this.with((registry) => registry.addAliases(versionId, aliases));
  }

  async versions(ref: CollectionRef): Promise<VersionRecord[]> {
    if (!existsSync(this.dbPath)) return [];
    return this.with((registry) => registry.versions(ref));
  }

  async runArtifacts(runPath: string, direction: "input" | "output"): Promise<VersionRecord[]> {
    return this.with((registry) => registry.runArtifacts(runPath, direction));
  }

  async lineage(start: LineageStart, depth?: number) {
    return this.with((registry) => registry.lineage(start, depth));
  }

  /** Versions with ids above `id`, in order, up to the first id not there (ids are dense). */
  private versionsAfter(id: number): VersionRecord[] {
    if (!existsSync(this.dbPath)) return [];
    return this.with((registry) => {
      const found: VersionRecord[] = [];
      for (let next = id + 1; ; next++) {
        try {
          found.push(registry.versionById(next));
        } catch {
          return found;
        }
      }
    });
  }

  async version(id: number): Promise<VersionRecord | undefined> {
    try {
      return this.with((registry) => registry.versionById(id));
    } catch {
      return undefined;
    }
  }
}
