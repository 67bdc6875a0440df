import { copyFileSync, existsSync, type FSWatcher, mkdirSync, statSync, watch } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { resolveInside, safeRelativePath } from "../artifacts/safe-path.js";
import { describeValue, RunlogError } from "../errors.js";
import { expandGlob } from "../util/glob.js";
import { validateRunId, validateScopeName } from "../util/names.js";
import { type RunAddress, runFolder } from "./run-folder.js";

export type SavePolicy = "live" | "now" | "end";

export interface SaveOptions {
  basePath?: string;
  policy?: SavePolicy;
}

export interface RestoreOptions {
  /** `"entity/project/id"` of the run whose file to restore (default: this run). */
  runPath?: string;
  replace?: boolean;
  /** Folder to restore into (default: this run's files folder). */
  root?: string;
}

/**
 * `run.save` and `run.restore`: files copied into the run's files folder and recorded with
 * the run (a `file` record, so offline runs sync them too). "live" files are re-copied when
 * they change; "end" files are copied at finish.
 */
export class RunFiles {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly atEnd = new Map<string, string>();

  constructor(
    private readonly filesDir: string,
    /** The runlog root, where `restore({ runPath })` finds other runs' folders. */
    private readonly root: string,
    private readonly record: (file: { path: string; size: number }) => void,
    private readonly warn: (message: string) => void,
  ) {}

  async save(pattern: string, options: SaveOptions = {}): Promise<string[]> {
    if (typeof pattern !== "string" || pattern.length === 0)
      throw new RunlogError("INVALID_ARGUMENT", `save needs a file path or glob, got ${describeValue(pattern)}.`);
    const policy = options.policy ?? "live";
    if (policy !== "live" && policy !== "now" && policy !== "end") {
      throw new RunlogError("INVALID_ARGUMENT", `save: policy must be "live", "now" or "end", got ${describeValue(policy)}.`);
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pattern)) {
      throw new RunlogError("INVALID_ARGUMENT", `save takes local paths; to track ${pattern}, log an artifact with addReference.`);
    }
    const { files, staticDir } = expandGlob(pattern);
    // W&B: a relative glob keeps its path under the run; an absolute one keeps one folder level.
    const base = resolve(options.basePath ?? (isAbsolute(pattern) ? dirname(staticDir) : process.cwd()));
    const saved: string[] = [];
    for (const file of files) {
      const rel = relative(base, file).split(sep).join("/");
      if (rel.startsWith("../") || isAbsolute(rel)) {
        throw new RunlogError("PATH_OUTSIDE_ROOT", `save: ${file} is not under basePath ${base}; pass a basePath that contains it.`);
      }
      const name = safeRelativePath(rel, "saved file name");
      if (policy === "end") this.atEnd.set(name, file);
      else this.copy(name, file);
      if (policy === "live") this.watchLive(name, file);
      saved.push(name);
    }
    return saved;
  }

  async restore(name: string, options: RestoreOptions = {}): Promise<string | undefined> {
    const file = safeRelativePath(name, "restore name");
    let sourceDir = this.filesDir;
    if (options.runPath !== undefined) {
      const runDir = runFolder(this.root, addressOf(options.runPath));
      // W&B raises for a run_path that names no run (only a missing file of a known run is None).
      if (!existsSync(runDir)) {
        throw new RunlogError("RUN_NOT_FOUND", `restore: no run ${options.runPath} in ${this.root}; check the entity/project/id.`);
      }
      sourceDir = join(runDir, "files");
    }
    const source = resolveInside(sourceDir, file, "restore name");
    if (!existsSync(source)) return undefined;
    const destination = resolveInside(options.root ?? this.filesDir, file, "restore name");
    if (destination === source) return destination;
    if (existsSync(destination) && !options.replace) return destination;
    mkdirSync(dirname(destination), { recursive: true });
    copyFileSync(source, destination);
    return destination;
  }

  /** At finish: copy "end" files, stop watching "live" ones (after a last copy). */
  finish(): void {
    for (const [name, file] of this.atEnd) if (existsSync(file)) this.copy(name, file);
    for (const [name, watcher] of this.watchers) {
      watcher.close();
      const file = this.liveSources.get(name);
      if (file !== undefined && existsSync(file)) this.copy(name, file);
    }
    this.watchers.clear();
  }

  private readonly liveSources = new Map<string, string>();

  private watchLive(name: string, file: string): void {
    if (this.watchers.has(name)) return;
    this.liveSources.set(name, file);
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(file, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (existsSync(file)) this.copy(name, file);
      }, 100);
      timer.unref();
    });
    watcher.on("error", (error) => this.warn(`stopped watching ${file} for run.save: ${error.message}`));
    watcher.unref();
    this.watchers.set(name, watcher);
  }

  private copy(name: string, file: string): void {
    const destination = resolveInside(this.filesDir, name, "saved file name");
    try {
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(file, destination);
    } catch (error) {
      // Called from a file watcher and at finish: a full disk must not end the training process.
      this.warn(`could not save ${file} as run file ${name} (${(error as Error).message}); it is saved again when it changes.`);
      return;
    }
    this.record({ path: name, size: statSync(destination).size });
  }
}

/** `"entity/project/id"` as an address, every part validated (no "..", no empty parts). */
function addressOf(runPath: string): RunAddress {
  const parts = typeof runPath === "string" ? runPath.split("/") : [];
  if (parts.length !== 3)
    throw new RunlogError("INVALID_ARGUMENT", `restore: runPath must look like "entity/project/id", got ${describeValue(runPath)}.`);
  return { entity: validateScopeName("entity", parts[0]), project: validateScopeName("project", parts[1]), id: validateRunId(parts[2]) };
}
