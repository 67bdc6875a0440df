import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MAX_ARTIFACT_ROWS, Table } from "../data-types/table.js";
import { describeValue, RunlogError } from "../errors.js";
import type { VersionRecord } from "./artifact-registry.js";
import type { Manifest, ManifestEntry } from "./manifest.js";
import type { ArtifactProgress } from "./progress.js";
import type { PendingReference } from "./references.js";
import { resolveInside, safeRelativePath } from "./safe-path.js";
import { validateArtifactName, validateArtifactType, validateMetadata } from "./validate.js";

export interface ArtifactEntry {
  readonly path: string;
  /** base64 MD5 (W&B's entry digest). */
  readonly digest: string;
  readonly size: number;
  readonly sha256: string | undefined;
  /** For reference entries: the URI the entry points to. */
  readonly ref: string | undefined;
}

/** What a logged or used artifact needs to fetch its files (the store behind it). */
export interface ArtifactSource {
  download(record: VersionRecord, root: string, onProgress?: (progress: ArtifactProgress) => void): Promise<void>;
  readonly defaultDownloadRoot: string;
  /** Paths (`entity/project/id`) of the runs that used the version, in the order they did. */
  consumersOf(record: VersionRecord): Promise<string[]>;
}

/** Set while runlog itself builds an artifact (reserved types like "code" are allowed then). */
let internalConstruction = false;

/**
 * A versioned set of files, W&B style: build it with addFile/addDir/newFile, log it with
 * `run.logArtifact`, read it back with `run.useArtifact(...).download()`.
 */
export class Artifact {
  readonly name: string;
  readonly type: string;
  description: string | undefined;
  metadata: Record<string, unknown>;
  readonly incremental: boolean;
  readonly #pending = new Map<string, string>();
  readonly #references = new Map<string, PendingReference>();
  #staging: string | undefined;
  #record: VersionRecord | undefined;
  #source: ArtifactSource | undefined;
  #committing: Promise<unknown> | undefined;

  constructor(
    name: string,
    type: string,
    options: { description?: string; metadata?: Record<string, unknown>; incremental?: boolean } = {},
  ) {
    this.name = validateArtifactName(name);
    this.type = validateArtifactType(type, name, internalConstruction);
    this.description = options.description;
    this.metadata = validateMetadata(options.metadata);
    this.incremental = options.incremental ?? false;
  }

  /** Adds a local file under `name` (default: its base name). Same name twice needs `overwrite`. */
  addFile(localPath: string, options: { name?: string; overwrite?: boolean } = {}): string {
    this.#assertDraft("addFile");
    const path = resolve(localPath);
    let info: ReturnType<typeof statSync>;
    try {
      info = statSync(path);
    } catch {
      throw new RunlogError("INVALID_ARGUMENT", `addFile: ${describeValue(localPath)} does not exist.`);
    }
    if (!info.isFile())
      throw new RunlogError("INVALID_ARGUMENT", `addFile: ${describeValue(localPath)} is not a file; use addDir for folders.`);
    const name = safeRelativePath(options.name ?? basename(path), "artifact entry name");
    const existing = this.#pending.get(name);
    if (existing !== undefined && existing !== path && !options.overwrite) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `Cannot add the same path twice: "${name}" already holds ${existing}. Pass { overwrite: true } to replace it.`,
      );
    }
    this.#pending.set(name, path);
    return name;
  }

  /** Adds every file below `localPath` (symlinks followed), under `name/` if given. */
  addDir(localPath: string, options: { name?: string } = {}): string[] {
    this.#assertDraft("addDir");
    const dir = resolve(localPath);
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new RunlogError("INVALID_ARGUMENT", `addDir: ${describeValue(localPath)} is not a directory.`);
    const prefix = options.name === undefined ? "" : `${safeRelativePath(options.name, "artifact entry name")}/`;
    const added: string[] = [];
    // Directory entries carry their type: no stat per file (10,000 files stay cheap); links are followed.
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      const full = join(entry.parentPath, entry.name);
      if (!(entry.isFile() || (entry.isSymbolicLink() && statSync(full).isFile()))) continue;
      const name = safeRelativePath(prefix + relative(dir, full).split(sep).join("/"), "artifact entry name");
      this.#pending.set(name, full);
      added.push(name);
    }
    return added.sort();
  }

  /**
   * Records a file, folder or URL without copying it: `file://` paths are checksummed (unless
   * `checksum: false`), `http(s)://` URLs recorded by ETag and size. At most `maxObjects` files per folder.
   */
  addReference(uri: string, options: { name?: string; checksum?: boolean; maxObjects?: number } = {}): string[] {
    this.#assertDraft("addReference");
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `addReference needs a URI such as file:///data/x.csv or https://host/x, got ${describeValue(uri)}.`,
      );
    }
    const checksum = options.checksum ?? true;
    const maxObjects = options.maxObjects ?? 10_000_000;
    if (url.protocol === "gs:") {
      throw new RunlogError("MODE_UNAVAILABLE", "gs:// references are not supported yet; reference s3://, file:// or http(s):// URIs.");
    }
    if (url.protocol === "s3:") {
      // Objects under a prefix are listed when the artifact is logged (as entries "<name>/<key>").
      const name = safeRelativePath(options.name ?? (basename(url.pathname.replace(/\/$/, "")) || url.hostname), "artifact entry name");
      this.#references.set(name, { uri: url.href, checksum, maxObjects });
      return [name];
    }
    if (url.protocol === "http:" || url.protocol === "https:") {
      const name = safeRelativePath(options.name ?? (basename(url.pathname) || url.hostname), "artifact entry name");
      this.#references.set(name, { uri: url.href, checksum, maxObjects });
      return [name];
    }
    if (url.protocol !== "file:")
      throw new RunlogError("INVALID_ARGUMENT", `addReference supports file://, s3://, http:// and https:// URIs, got ${url.protocol}//.`);
    const path = fileURLToPath(url);
    if (!existsSync(path)) throw new RunlogError("INVALID_ARGUMENT", `addReference: ${path} does not exist.`);
    if (statSync(path).isFile()) {
      const name = safeRelativePath(options.name ?? basename(path), "artifact entry name");
      this.#references.set(name, { uri: url.href, checksum, maxObjects });
      return [name];
    }
    const files = (readdirSync(path, { recursive: true }) as string[]).filter((file) => statSync(join(path, file)).isFile()).sort();
    if (files.length > maxObjects) {
      throw new RunlogError("INVALID_ARGUMENT", `addReference: ${path} holds ${files.length} files, more than maxObjects (${maxObjects}).`);
    }
    const prefix = options.name === undefined ? "" : `${safeRelativePath(options.name, "artifact entry name")}/`;
    return files.map((file) => {
      const name = safeRelativePath(prefix + file.split(sep).join("/"), "artifact entry name");
      this.#references.set(name, { uri: pathToFileURL(join(path, file)).href, checksum, maxObjects });
      return name;
    });
  }

  /**
   * Adds a Table (up to 200,000 rows) as `<name>.table.json`, with its media cells as files
   * under `media/`, like W&B's `artifact.add(table, name)`.
   */
  add(table: Table, name: string): string {
    this.#assertDraft("add");
    if (!(table instanceof Table)) throw new RunlogError("INVALID_ARGUMENT", `artifact.add takes a Table, got ${describeValue(table)}.`);
    if (table.rowCount > MAX_ARTIFACT_ROWS)
      throw new RunlogError("VALUE_TOO_LARGE", `A Table in an artifact holds at most ${MAX_ARTIFACT_ROWS} rows (got ${table.rowCount}).`);
    const entry = safeRelativePath(name, "artifact entry name");
    this.#staging ??= mkdtempSync(join(tmpdir(), "runlog-artifact-"));
    const staging = mkdtempSync(join(this.#staging, "table-"));
    const serialized = table.serialize({ key: entry, step: 0, runDir: staging });
    for (const file of readdirSync(staging, { recursive: true }) as string[]) {
      const full = join(staging, file);
      if (!statSync(full).isFile()) continue;
      const path = file.split(sep).join("/");
      this.#pending.set(path === serialized.path ? `${entry}.table.json` : path, full);
    }
    return `${entry}.table.json`;
  }

  /** A path to write a new file that becomes entry `name` when the artifact is logged. */
  newFile(name: string): string {
    this.#assertDraft("newFile");
    const entry = safeRelativePath(name, "artifact entry name");
    this.#staging ??= mkdtempSync(join(tmpdir(), "runlog-artifact-"));
    const path = resolveInside(this.#staging, entry, "artifact entry name");
    mkdirSync(join(path, ".."), { recursive: true });
    this.#pending.set(entry, path);
    return path;
  }

  getEntry(name: string): ArtifactEntry | undefined {
    const entry = this.#logged("getEntry").manifest.contents[safeRelativePath(name, "artifact entry name")];
    return entry === undefined ? undefined : toEntry(name, entry);
  }

  get manifest(): Manifest {
    return this.#logged("manifest").manifest;
  }

  get digest(): string {
    return this.#logged("digest").digest;
  }

  /** "v0", "v1", … once logged or used; undefined for a draft. */
  get version(): string | undefined {
    return this.#record === undefined ? undefined : `v${this.#record.versionIndex}`;
  }

  get aliases(): readonly string[] {
    return this.#record?.aliases ?? [];
  }

  get tags(): readonly string[] {
    return this.#record?.tags ?? [];
  }

  /** `entity/project/name:vN`. */
  get qualifiedName(): string | undefined {
    const r = this.#record;
    return r === undefined ? undefined : `${r.entity}/${r.project}/${r.name}:v${r.versionIndex}`;
  }

  get size(): number | undefined {
    return this.#record?.size;
  }

  /** W&B's `is_draft()`: true until the artifact is logged (or when built here, not read from a store). */
  isDraft(): boolean {
    return this.#record === undefined;
  }

  /** W&B's `state`: "PENDING" for a draft, "COMMITTED" once logged or used. */
  get state(): "PENDING" | "COMMITTED" {
    return this.#record === undefined ? "PENDING" : "COMMITTED";
  }

  /** The entity and project of the logged version (undefined for a draft). */
  get entity(): string | undefined {
    return this.#record?.entity;
  }
  get project(): string | undefined {
    return this.#record?.project;
  }

  /** W&B's `file_count`: entries in the logged version's manifest. */
  get fileCount(): number | undefined {
    return this.#record?.fileCount;
  }

  /** When the version was committed, in Unix seconds (undefined for a draft). */
  get createdAt(): number | undefined {
    return this.#record?.createdAt;
  }

  /** W&B's `files()`: the logged version's entries (path, digest, size, sha256, ref), by path. */
  files(): ArtifactEntry[] {
    return Object.entries(this.#logged("files").manifest.contents)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, entry]) => toEntry(path, entry));
  }

  /**
   * Resolves once the artifact is committed: at once after an awaited logArtifact, else when the
   * logArtifact call in flight commits (W&B's `run.log_artifact(a); a.wait()`), rejecting as it does.
   */
  async wait(): Promise<this> {
    if (this.#record === undefined && this.#committing !== undefined) await this.#committing;
    this.#logged("wait");
    return this;
  }

  /** W&B's `logged_by()`: the path (`entity/project/id`) of the run that logged this version (`api.run(path)` opens it); undefined when no run did. */
  async loggedBy(): Promise<string | undefined> {
    return this.#logged("loggedBy").createdBy;
  }

  /** W&B's `used_by()`: the paths of the runs that used this version, read from its store or server. */
  async usedBy(): Promise<string[]> {
    const record = this.#logged("usedBy");
    return (this.#source as ArtifactSource).consumersOf(record);
  }

  /** Places the files under `root` (default ./artifacts/<name>:vN) as links into the store; returns the folder. */
  async download(options: { root?: string; onProgress?: (progress: ArtifactProgress) => void } = {}): Promise<string> {
    const record = this.#logged("download");
    const source = this.#source as ArtifactSource;
    const root = resolve(options.root ?? join(source.defaultDownloadRoot, `${record.name}:v${record.versionIndex}`));
    await source.download(record, root, options.onProgress);
    return root;
  }

  /** @internal an artifact for a stored version (reserved types allowed: runlog made it). */
  static fromRecord(record: VersionRecord, source: ArtifactSource): Artifact {
    return Artifact.internal(record.name, record.type).attach(record, source);
  }

  /** @internal an artifact of a type reserved for runlog (e.g. "code" for logCode). */
  static internal(name: string, type: string, options: { description?: string; metadata?: Record<string, unknown> } = {}): Artifact {
    internalConstruction = true;
    try {
      return new Artifact(name, type, options);
    } finally {
      internalConstruction = false;
    }
  }

  /** @internal references waiting to be logged: entry name → URI. */
  pendingReferences(): ReadonlyMap<string, PendingReference> {
    return this.#references;
  }

  /** @internal the files waiting to be logged: entry name → local path. */
  pendingFiles(): ReadonlyMap<string, string> {
    return this.#pending;
  }

  /** @internal the logArtifact call committing this draft, which wait() waits for. */
  committing(pending: Promise<unknown>): void {
    this.#committing = pending;
  }

  /** @internal binds the artifact to its committed version. */
  attach(record: VersionRecord, source: ArtifactSource): this {
    this.#record = record;
    this.#source = source;
    this.description = record.description;
    this.metadata = record.metadata;
    return this;
  }

  /** @internal */
  get record(): VersionRecord | undefined {
    return this.#record;
  }

  #assertDraft(what: string): void {
    if (this.#record !== undefined) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `${what}: artifact ${this.name} is already logged (${this.version}); create a new Artifact for new content.`,
      );
    }
  }

  #logged(what: string): VersionRecord {
    if (this.#record === undefined)
      throw new RunlogError("INVALID_ARGUMENT", `${what}: log the artifact first (run.logArtifact), or get one with run.useArtifact.`);
    return this.#record;
  }
}

export function toEntry(path: string, entry: ManifestEntry): ArtifactEntry {
  return { path, digest: entry.digest, size: entry.size, sha256: entry.extra?.sha256, ref: entry.ref };
}
