import { readdirSync, type Stats, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { describeValue, RunlogError } from "../errors.js";
import { Artifact } from "./artifact.js";
import type { CollectionRef } from "./artifact-registry.js";
import { type ArtifactBackend, defaultArtifactName } from "./artifact-service.js";
import { OfflineArtifactService } from "./offline/offline-artifacts.js";
import type { ArtifactProgress } from "./progress.js";
import { parseArtifactPath, validateAliases, validateArtifactTags } from "./validate.js";

export interface LogArtifactOptions {
  name?: string;
  type?: string;
  aliases?: readonly string[];
  tags?: readonly string[];
  /** Called as files are hashed and stored (for progress bars). */
  onProgress?: (progress: ArtifactProgress) => void;
}

const DEFAULT_CODE = /(^|\/)(package\.json|Dockerfile[^/]*|requirements\.txt)$|\.(m|c)?[jt]sx?$|\.py$/;
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", "build", ".turbo", "runlog", "artifacts", "__pycache__", ".venv"]);

/** W&B's name for code artifacts: source-<project>-<entry script>, made safe and ≤ 128 characters. */
export function codeArtifactName(project: string, root: string): string {
  const entry = process.argv[1] === undefined ? "main" : relative(root, process.argv[1]).split(sep).join("/");
  const safe = `source-${project}-${entry}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  return safe.length <= 128 ? safe : `${safe.slice(0, 63)}..${safe.slice(-63)}`;
}

interface RunIdentity {
  readonly group?: string | undefined;
  readonly id: string;
  readonly entity: string;
  readonly project: string;
  readonly path: string;
}

/**
 * The artifact methods of a Run (logArtifact, useArtifact, logModel, useModel, linkModel,
 * linkArtifact), recording lineage edges run → artifact (output) and artifact → run (input).
 */
export class RunArtifacts {
  constructor(
    private readonly service: ArtifactBackend | undefined,
    private readonly run: RunIdentity,
    private readonly warn: (message: string) => void,
  ) {}

  async logArtifact(artifactOrPath: Artifact | string, options: LogArtifactOptions = {}): Promise<Artifact> {
    const artifact = this.toArtifact(artifactOrPath, options);
    const committed = this.commitArtifact(artifact, options);
    artifact.committing(committed); // before the first await: a.wait() right after a non-awaited logArtifact waits for it
    return committed;
  }

  private async commitArtifact(artifact: Artifact, options: LogArtifactOptions): Promise<Artifact> {
    const target = this.target(options);
    const service = this.service;
    if (service === undefined) return artifact;
    const result = await service.log(artifact, target, options.onProgress);
    if (!result.created) {
      this.warn(`Artifact "${artifact.name}" already exists with the same content (${artifact.version}); no new version was created.`);
    }
    return result.artifact;
  }

  /** Adds files to a version several processes build together; `finishArtifact` commits it. */
  async upsertArtifact(
    artifactOrPath: Artifact | string,
    options: LogArtifactOptions & { distributedId?: string } = {},
  ): Promise<Artifact> {
    const artifact = this.toArtifact(artifactOrPath, options);
    const service = this.service;
    if (service === undefined) return artifact;
    return service.upsert(artifact, this.target(options), this.distributedId(options.distributedId));
  }

  /** Commits the version built by upsertArtifact calls (from any process) with this `distributedId`. */
  async finishArtifact(
    artifactOrPath: Artifact | string,
    options: LogArtifactOptions & { distributedId?: string } = {},
  ): Promise<Artifact> {
    const artifact = this.toArtifact(artifactOrPath, options);
    const service = this.service;
    if (service === undefined) return artifact;
    return (await service.finish(artifact, this.target(options), this.distributedId(options.distributedId))).artifact;
  }

  async useArtifact(nameOrArtifact: Artifact | string, options: { type?: string; aliases?: readonly string[] } = {}): Promise<Artifact> {
    const service = this.service;
    if (service === undefined) throw new RunlogError("MODE_UNAVAILABLE", "A disabled run has no store to read artifacts from.");
    const aliases = validateAliases(options.aliases);
    // Refused before the use is recorded: an offline run cannot change a stored version's aliases.
    if (aliases.length > 0 && service instanceof OfflineArtifactService) await service.addAliases();
    let artifact: Artifact;
    if (nameOrArtifact instanceof Artifact) {
      const record = nameOrArtifact.record;
      if (record === undefined)
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `useArtifact: artifact ${nameOrArtifact.name} is a draft; log it first or use it by name.`,
        );
      artifact = await service.use(record, `v${record.versionIndex}`, this.run.path);
    } else {
      const parsed = parseArtifactPath(nameOrArtifact);
      artifact = await service.use(this.collection(parsed), parsed.alias, this.run.path);
    }
    if (options.type !== undefined && options.type !== artifact.type) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `useArtifact: ${artifact.qualifiedName} has type "${artifact.type}", not "${options.type}".`,
      );
    }
    const record = artifact.record;
    if (aliases.length > 0 && record !== undefined) {
      return service.addAliases(record, aliases);
    }
    return artifact;
  }

  logModel(path: string, options: { name?: string; aliases?: readonly string[] } = {}): Promise<Artifact> {
    return this.logArtifact(this.fromPath(path, options.name, "model"), { ...(options.aliases ? { aliases: options.aliases } : {}) });
  }

  /** Downloads a model artifact; returns the file when it holds exactly one, else the folder. */
  async useModel(name: string): Promise<string> {
    const artifact = await this.useArtifact(name);
    if (!artifact.type.includes("model")) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `useModel: ${artifact.qualifiedName} has type "${artifact.type}"; only artifacts whose type contains "model" are models. Use useArtifact instead.`,
      );
    }
    const root = await artifact.download();
    const entries = Object.keys(artifact.manifest.contents);
    return entries.length === 1 ? join(root, entries[0] as string) : root;
  }

  /** Logs the model and links it into `<entity>/model-registry/<registeredModelName>`. */
  async linkModel(
    path: string,
    registeredModelName: string,
    options: { name?: string; aliases?: readonly string[] } = {},
  ): Promise<Artifact | undefined> {
    if (typeof registeredModelName !== "string" || registeredModelName.includes("/") || registeredModelName.length === 0) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `linkModel: registeredModelName must be a name without "/", got ${describeValue(registeredModelName)}.`,
      );
    }
    const model = await this.logModel(path, options.name === undefined ? {} : { name: options.name });
    return this.linkArtifact(
      model,
      `model-registry/${registeredModelName}`,
      options.aliases === undefined ? {} : { aliases: options.aliases },
    );
  }

  /**
   * Links a logged version into a registry collection without copying. `targetPath`:
   * `[entity/]model-registry/<name>`, `registry/<registry>/<collection>`, or `[entity/]<project>/<collection>`.
   */
  async linkArtifact(artifact: Artifact, targetPath: string, options: { aliases?: readonly string[] } = {}): Promise<Artifact | undefined> {
    const aliases = validateAliases(options.aliases);
    const service = this.service;
    if (service === undefined) return undefined;
    const record = artifact.record;
    if (record === undefined)
      throw new RunlogError("INVALID_ARGUMENT", `linkArtifact: artifact ${artifact.name} is a draft; log it first.`);
    return service.link(record, this.registryTarget(targetPath), aliases);
  }

  /**
   * Logs source files under `root` (default: the working directory) as a `code` artifact
   * `source-<project>-<entry script>`. Dependency, VCS and build folders are skipped.
   */
  async logCode(
    options: { root?: string; name?: string; include?: (path: string) => boolean; exclude?: (path: string) => boolean } = {},
  ): Promise<Artifact | undefined> {
    const root = codeRoot(options.root);
    const include = filterOption(options.include, "include") ?? ((path: string) => DEFAULT_CODE.test(path));
    const exclude = filterOption(options.exclude, "exclude") ?? (() => false);
    const name = options.name ?? codeArtifactName(this.run.project, root);
    const artifact = Artifact.internal(name, "code");
    for (const file of listTree(root)) {
      const path = file.split(sep).join("/");
      if (path.split("/").some((part) => SKIPPED_DIRS.has(part)) || !include(path) || exclude(path)) continue;
      if (isFile(join(root, file))) artifact.addFile(join(root, file), { name: path });
    }
    if (artifact.pendingFiles().size === 0) {
      this.warn(`logCode: no source files matched under ${root}; nothing was logged.`);
      return undefined;
    }
    return this.logArtifact(artifact);
  }

  private toArtifact(artifactOrPath: Artifact | string, options: LogArtifactOptions): Artifact {
    const artifact =
      artifactOrPath instanceof Artifact ? artifactOrPath : this.fromPath(artifactOrPath, options.name, options.type ?? "unspecified");
    if (artifact.record !== undefined)
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `Artifact ${artifact.qualifiedName} is already logged; create a new Artifact for new content.`,
      );
    return artifact;
  }

  private target(options: LogArtifactOptions) {
    return {
      entity: this.run.entity,
      project: this.run.project,
      runPath: this.run.path,
      aliases: validateAliases(options.aliases),
      tags: validateArtifactTags(options.tags),
    };
  }

  /** W&B: the distributed id defaults to the run's group; one of them is required. */
  private distributedId(given: string | undefined): string {
    const id = given ?? this.run.group;
    if (typeof id !== "string" || id.length === 0 || id.length > 256) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        "upsertArtifact/finishArtifact need a distributedId, or a run started with a group (init({ group })).",
      );
    }
    return id;
  }

  private fromPath(path: string, name: string | undefined, type: string): Artifact {
    if (typeof path !== "string" || path.length === 0)
      throw new RunlogError("INVALID_ARGUMENT", `Expected a file or folder path, got ${describeValue(path)}.`);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new RunlogError("INVALID_ARGUMENT", `${describeValue(path)} does not exist.`);
    }
    const artifact = new Artifact(name ?? defaultArtifactName(this.run.id, path), type);
    if (isDir) artifact.addDir(path);
    else artifact.addFile(path);
    return artifact;
  }

  private collection(parsed: { entity?: string; project?: string; name: string }): CollectionRef {
    return { entity: parsed.entity ?? this.run.entity, project: parsed.project ?? this.run.project, name: parsed.name };
  }

  private registryTarget(targetPath: string): CollectionRef {
    if (typeof targetPath !== "string")
      throw new RunlogError("INVALID_ARGUMENT", `linkArtifact: targetPath must be a string, got ${describeValue(targetPath)}.`);
    const parts = targetPath.split("/");
    if (parts[0] === "registry" && parts.length === 3)
      return { entity: this.run.entity, project: `registry-${parts[1]}`, name: parts[2] as string };
    const parsed = parseArtifactPath(targetPath);
    if (targetPath.includes(":"))
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `linkArtifact: targetPath names a collection, without ":alias" (got ${describeValue(targetPath)}).`,
      );
    if (parsed.project === undefined)
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `linkArtifact: targetPath must name a registry collection such as "model-registry/${parsed.name}" or "registry/<registry>/${parsed.name}".`,
      );
    return this.collection(parsed);
  }
}

/** logCode's root: an existing folder (default: the working directory). */
function codeRoot(given: unknown): string {
  if (given !== undefined && (typeof given !== "string" || given.length === 0)) {
    throw new RunlogError("INVALID_ARGUMENT", `logCode: root must be a folder path, got ${describeValue(given)}.`);
  }
  const root = resolve(given ?? process.cwd());
  let stats: Stats;
  try {
    stats = statSync(root);
  } catch (error) {
    throw new RunlogError("INVALID_ARGUMENT", `logCode: root ${root} does not exist or cannot be read; pass an existing folder.`, {
      cause: error,
    });
  }
  if (!stats.isDirectory()) throw new RunlogError("INVALID_ARGUMENT", `logCode: root ${root} is a file; pass the folder that holds it.`);
  return root;
}

/** An include/exclude predicate; a throw inside it is answered as the caller's error, not a raw one. */
function filterOption(given: unknown, which: string): ((path: string) => boolean) | undefined {
  if (given === undefined) return undefined;
  if (typeof given !== "function") {
    throw new RunlogError("INVALID_ARGUMENT", `logCode: ${which} must be a function (path) => boolean, got ${describeValue(given)}.`);
  }
  return (path) => {
    try {
      return Boolean(given(path));
    } catch (error) {
      throw new RunlogError("INVALID_ARGUMENT", `logCode: the ${which} function threw for "${path}": ${String(error)}.`, { cause: error });
    }
  };
}

function listTree(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true }) as string[];
  } catch (error) {
    throw new RunlogError("INVALID_ARGUMENT", `logCode: cannot list ${root} (${(error as Error).message}); check its permissions.`, {
      cause: error,
    });
  }
}

/** False for folders and for entries that vanished or are dangling links. */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
