import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RunlogError } from "../errors.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { forEachLimited } from "../util/pool.js";
import { Artifact, type ArtifactSource } from "./artifact.js";
import { ArtifactRegistry, type CollectionRef, type VersionRecord } from "./artifact-registry.js";
import { buildManifest, type ManifestEntry, manifestDigest } from "./manifest.js";
import { LocalObjectStore } from "./object-store.js";
import { type ArtifactProgress, progressCounter } from "./progress.js";
import { describeReference, fetchReference } from "./references.js";
import { resolveInside } from "./safe-path.js";

/** Files in flight at once: enough to keep the disk and the thread pool busy. */
const CONCURRENCY = 16;

export interface LogTarget {
  readonly entity: string;
  readonly project: string;
  readonly runPath: string | undefined;
  readonly aliases: readonly string[];
  readonly tags: readonly string[];
}

export interface LogResult {
  readonly artifact: Artifact;
  readonly created: boolean;
  readonly bytesWritten: number;
}

/**
 * What a run's artifact methods need: the embedded store (ArtifactService) or a team server
 * (RemoteArtifactService, for online runs).
 */
export interface ArtifactBackend extends ArtifactSource {
  log(artifact: Artifact, target: LogTarget, onProgress?: (progress: ArtifactProgress) => void): Promise<LogResult>;
  upsert(artifact: Artifact, target: LogTarget, distributedId: string): Promise<Artifact>;
  finish(artifact: Artifact, target: LogTarget, distributedId: string): Promise<LogResult>;
  /** Resolves an alias; records the run (`runPath`) as a consumer of the version. */
  use(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<Artifact>;
  /** Links into a registry collection; returns the artifact as seen through the registry. */
  link(record: VersionRecord, portfolio: CollectionRef, aliases: readonly string[]): Promise<Artifact>;
  addAliases(record: VersionRecord, aliases: readonly string[]): Promise<Artifact>;
}

/**
 * Artifact operations over one runlog root: the object store plus the metadata in runlog.db.
 * Each call opens the database briefly, so nothing is held between calls.
 */
export class ArtifactService implements ArtifactBackend {
  readonly objects: LocalObjectStore;
  private readonly dbPath: string;

  constructor(
    readonly root: string,
    // W&B downloads to ./artifacts/<name>:<version> unless WANDB_ARTIFACT_DIR says otherwise.
    readonly defaultDownloadRoot = process.env.RUNLOG_ARTIFACT_DIR || join(process.cwd(), "artifacts"),
  ) {
    this.objects = new LocalObjectStore(root);
    this.dbPath = join(root, DB_FILE);
  }

  with<T>(fn: (registry: ArtifactRegistry) => T): T {
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      return fn(registry);
    } finally {
      registry.close();
    }
  }

  /** Hashes and stores every pending file, then commits one version atomically. */
  async log(artifact: Artifact, target: LogTarget, onProgress?: (progress: ArtifactProgress) => void): Promise<LogResult> {
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      const stored = await this.storeFiles(artifact, registry, true, onProgress);
      const ref = { entity: target.entity, project: target.project, name: artifact.name };
      const { version, created } = registry.atomically(() => {
        // Incremental: the new version starts from the latest one's files.
        const base = artifact.incremental ? latestContents(registry, ref) : {};
        return this.commit(registry, artifact, target, { ...base, ...stored.contents });
      });
      return { artifact: artifact.attach(version, this), created, bytesWritten: stored.bytesWritten };
    } finally {
      registry.close();
    }
  }

  /** Adds the artifact's files to the pending version `distributedId` (several processes may do this). */
  async upsert(artifact: Artifact, target: LogTarget, distributedId: string): Promise<Artifact> {
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      const stored = await this.storeFiles(artifact, registry, true);
      registry.upsertDraft(
        { entity: target.entity, project: target.project, name: artifact.name },
        distributedId,
        artifact.type,
        stored.contents,
      );
      return artifact;
    } finally {
      registry.close();
    }
  }

  /** Commits the pending version `distributedId` (plus this artifact's own files) as one new version. */
  async finish(artifact: Artifact, target: LogTarget, distributedId: string): Promise<LogResult> {
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      const stored = await this.storeFiles(artifact, registry, false);
      const ref = { entity: target.entity, project: target.project, name: artifact.name };
      const { version, created } = registry.atomically(() => {
        const contents = { ...registry.takeDraft(ref, distributedId), ...stored.contents };
        if (Object.keys(contents).length === 0) {
          throw new RunlogError(
            "INVALID_ARGUMENT",
            `finishArtifact: nothing was upserted into ${artifact.name} under distributedId "${distributedId}".`,
          );
        }
        return this.commit(registry, artifact, target, contents);
      });
      return { artifact: artifact.attach(version, this), created, bytesWritten: stored.bytesWritten };
    } finally {
      registry.close();
    }
  }

  private async storeFiles(
    artifact: Artifact,
    registry: ArtifactRegistry,
    requireFiles: boolean,
    onProgress?: (progress: ArtifactProgress) => void,
  ) {
    await this.objects.removeStaleTemporaries();
    const files = [...artifact.pendingFiles()];
    const references = [...artifact.pendingReferences()];
    if (files.length === 0 && references.length === 0 && requireFiles)
      throw new RunlogError("INVALID_ARGUMENT", `Artifact ${artifact.name} has no files; add some with addFile, addDir or newFile.`);
    const contents: Record<string, ManifestEntry> = {};
    let bytesWritten = 0;
    registry.preload(files.map(([, local]) => local));
    const progress = progressCounter(files.length, onProgress === undefined ? 0 : totalSize(files), onProgress);
    await forEachLimited(files, CONCURRENCY, async ([path, local]) => {
      const counted = progress.file();
      const stored = await this.objects.put(local, registry, counted.onBytes).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT")
          throw new RunlogError("INVALID_ARGUMENT", `Artifact ${artifact.name}: ${local} (entry "${path}") no longer exists.`);
        if (RunlogError.isInstance(error) || typeof error.code !== "string") throw error;
        // ENOSPC, EIO, EACCES: nothing half-written is left under an object's name (objects are renamed into place).
        throw new RunlogError(
          "PERSIST_FAILED",
          `Artifact ${artifact.name}: cannot store ${local} (entry "${path}") in ${this.root}: ${error.message}. No version was created; free disk space and log it again.`,
          { cause: error },
        );
      });
      contents[path] = { digest: stored.md5, size: stored.size, extra: { sha256: stored.sha256 } };
      bytesWritten += stored.bytesWritten;
      counted.fileDone(stored.size);
    });
    await forEachLimited(references, CONCURRENCY, async ([path, reference]) => {
      Object.assign(contents, await describeReference(path, reference));
    });
    // The objects are durable before any version (or draft) naming them is committed.
    await this.objects.sync().catch((error: NodeJS.ErrnoException) => {
      throw new RunlogError(
        "PERSIST_FAILED",
        `Artifact ${artifact.name}: cannot make its stored files durable in ${this.root}: ${error.message}. No version was created; log it again.`,
        { cause: error },
      );
    });
    registry.flushHashCache();
    return { contents, bytesWritten };
  }

  private commit(registry: ArtifactRegistry, artifact: Artifact, target: LogTarget, contents: Record<string, ManifestEntry>) {
    const manifest = buildManifest(contents);
    let size = 0;
    for (const entry of Object.values(contents)) size += entry.size;
    return registry.commit({
      entity: target.entity,
      project: target.project,
      name: artifact.name,
      type: artifact.type,
      description: artifact.description,
      metadata: artifact.metadata,
      tags: target.tags,
      manifest,
      digest: manifestDigest(manifest.contents),
      size,
      fileCount: Object.keys(contents).length,
      aliases: target.aliases,
      runPath: target.runPath,
    });
  }

  async use(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<Artifact> {
    return this.with((registry) => {
      const record = registry.resolve(ref, alias);
      if (runPath !== undefined) registry.recordLineage(runPath, record.id, "input");
      return Artifact.fromRecord(record, this);
    });
  }

  async link(record: VersionRecord, portfolio: CollectionRef, aliases: readonly string[]): Promise<Artifact> {
    return this.with((registry) => {
      const index = registry.link(record.id, portfolio, aliases);
      return Artifact.fromRecord(registry.resolve(portfolio, `v${index}`), this);
    });
  }

  async addAliases(record: VersionRecord, aliases: readonly string[]): Promise<Artifact> {
    return Artifact.fromRecord(
      this.with((registry) => registry.addAliases(record.id, aliases)),
      this,
    );
  }

  async consumersOf(record: VersionRecord): Promise<string[]> {
    return consumers(this.with((registry) => registry.lineage({ versionId: record.id }, 0)).edges, record.id);
  }

  /** Places every entry under `root` as a hard link into the store (a copy across file systems). */
  async download(record: VersionRecord, root: string, onProgress?: (progress: ArtifactProgress) => void): Promise<void> {
    const entries = Object.entries(record.manifest.contents);
    const progress = progressCounter(entries.length, record.size, onProgress);
    mkdirSync(root, { recursive: true });
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      registry.preload(
        entries.flatMap(([, entry]) => (entry.extra?.sha256 === undefined ? [] : [this.objects.objectPath(entry.extra.sha256)])),
      );
      await forEachLimited(entries, CONCURRENCY, async ([path, entry]) => {
        await this.downloadEntry(record, root, path, entry, registry);
        progress.file().fileDone(entry.size);
      });
    } finally {
      registry.close();
    }
  }

  private async downloadEntry(
    record: VersionRecord,
    root: string,
    path: string,
    entry: ManifestEntry,
    cache: ArtifactRegistry,
  ): Promise<void> {
    const destination = resolveInside(root, path, "artifact entry name");
    if (entry.ref !== undefined) {
      mkdirSync(dirname(destination), { recursive: true });
      await fetchReference(entry, destination);
      return;
    }
    const sha256 = entry.extra?.sha256;
    if (sha256 === undefined || !this.objects.has(sha256)) {
      throw new RunlogError(
        "STORE_ERROR",
        `Artifact ${record.name}:v${record.versionIndex}: the content of "${path}" is missing from ${this.objects.objectsDir}.`,
      );
    }
    await this.objects.verify(sha256, cache);
    // Already a link to the stored object: nothing to do. Anything else (edited, replaced) is linked again.
    if (existsSync(destination) && sameFile(destination, this.objects.objectPath(sha256))) return;
    mkdirSync(dirname(destination), { recursive: true });
    await this.objects.materialize(sha256, destination);
  }
}

function latestContents(registry: ArtifactRegistry, ref: CollectionRef): Record<string, ManifestEntry> {
  try {
    return { ...registry.resolve(ref, "latest").manifest.contents };
  } catch (error) {
    if (RunlogError.isInstance(error) && error.code === "ARTIFACT_NOT_FOUND") return {};
    throw error;
  }
}

function sameFile(a: string, b: string): boolean {
  const x = statSync(a);
  const y = statSync(b);
  return x.ino === y.ino && x.dev === y.dev;
}

/** The default name W&B gives `logArtifact(path)`: run-<run id>-<base name>, made safe. */
export function defaultArtifactName(runId: string, path: string): string {
  const safe = `run-${runId}-${basename(path)}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  return safe.length > 128 ? safe.slice(0, 128) : safe;
}

/** The runs a version's lineage edges lead to (artifact → run: the runs that used it). */
export function consumers(edges: readonly { from: string; to: string }[], versionId: number): string[] {
  const node = `artifact:${versionId}`;
  return edges.filter((edge) => edge.from === node && edge.to.startsWith("run:")).map((edge) => edge.to.slice("run:".length));
}

/** The bytes of the files to store (a vanished file counts 0: storing it fails with its own message). */
function totalSize(files: readonly (readonly [string, string])[]): number {
  let total = 0;
  for (const [, local] of files) total += statSync(local, { throwIfNoEntry: false })?.size ?? 0;
  return total;
}
