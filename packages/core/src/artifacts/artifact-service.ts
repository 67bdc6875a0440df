import { existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RunlogError } from "../errors.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { forEachLimited } from "../util/pool.js";
import { Artifact, type ArtifactSource } from "./artifact.js";
import { ArtifactRegistry, type CollectionRef, type VersionRecord } from "./artifact-registry.js";
import { buildManifest, type ManifestEntry, manifestDigest } from "./manifest.js";
import { LocalObjectStore } from "./object-store.js";
import { resolveInside } from "./safe-path.js";

/** Files in flight at once: enough to keep the disk and the thread pool busy. */
const CONCURRENCY = 16;

export interface LogResult {
  readonly artifact: Artifact;
  readonly created: boolean;
  readonly bytesWritten: number;
}

/**
 * Artifact operations over one runlog root: the object store plus the metadata in runlog.db.
 * Each call opens the database briefly, so nothing is held between calls.
 */
export class ArtifactService implements ArtifactSource {
  readonly objects: LocalObjectStore;
  private readonly dbPath: string;

  constructor(
    readonly root: string,
    readonly defaultDownloadRoot = join(process.cwd(), "artifacts"),
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

  /** Hashes and stores every pending file (8 at a time), then commits one version atomically. */
  async log(
    artifact: Artifact,
    target: { entity: string; project: string; runPath: string | undefined; aliases: readonly string[]; tags: readonly string[] },
  ): Promise<LogResult> {
    const files = [...artifact.pendingFiles()];
    if (files.length === 0)
      throw new RunlogError("INVALID_ARGUMENT", `Artifact ${artifact.name} has no files; add some with addFile, addDir or newFile.`);
    const contents: Record<string, ManifestEntry> = {};
    let bytesWritten = 0;
    let size = 0;
    const registry = new ArtifactRegistry(this.dbPath);
    try {
      for (let i = 0; i < files.length; i += CONCURRENCY) {
        await Promise.all(
          files.slice(i, i + CONCURRENCY).map(async ([path, local]) => {
            if (!existsSync(local))
              throw new RunlogError("INVALID_ARGUMENT", `Artifact ${artifact.name}: ${local} (entry "${path}") no longer exists.`);
            const stored = await this.objects.put(local, registry);
            contents[path] = { digest: stored.md5, size: stored.size, extra: { sha256: stored.sha256 } };
            bytesWritten += stored.bytesWritten;
            size += stored.size;
          }),
        );
      }
      registry.flushHashCache();
      const manifest = buildManifest(contents);
      const { version, created } = registry.commit({
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
        fileCount: files.length,
        aliases: target.aliases,
        runPath: target.runPath,
      });
      return { artifact: artifact.attach(version, this), created, bytesWritten };
    } finally {
      registry.close();
    }
  }

  use(ref: CollectionRef, alias: string, runPath: string | undefined): Artifact {
    return this.with((registry) => {
      const record = registry.resolve(ref, alias);
      if (runPath !== undefined) registry.recordLineage(runPath, record.id, "input");
      return Artifact.fromRecord(record, this);
    });
  }

  /** Links into a registry collection; returns the artifact as seen through the registry. */
  link(record: VersionRecord, portfolio: CollectionRef, aliases: readonly string[]): Artifact {
    return this.with((registry) => {
      const index = registry.link(record.id, portfolio, aliases);
      return Artifact.fromRecord(registry.resolve(portfolio, `v${index}`), this);
    });
  }

  /** Places every entry under `root` as a hard link into the store (a copy across file systems). */
  async download(record: VersionRecord, root: string): Promise<void> {
    mkdirSync(root, { recursive: true });
    await forEachLimited(Object.entries(record.manifest.contents), CONCURRENCY, async ([path, entry]) => {
      const sha256 = entry.extra?.sha256;
      if (sha256 === undefined || !this.objects.has(sha256)) {
        throw new RunlogError(
          "STORE_ERROR",
          `Artifact ${record.name}:v${record.versionIndex}: the content of "${path}" is missing from ${this.objects.objectsDir}.`,
        );
      }
      const destination = resolveInside(root, path, "artifact entry name");
      if (existsSync(destination) && sameFile(destination, this.objects.objectPath(sha256))) return;
      mkdirSync(dirname(destination), { recursive: true });
      await this.objects.materialize(sha256, destination);
    });
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
