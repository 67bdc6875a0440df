import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { RunlogError } from "../errors.js";
import { validateRunId, validateScopeName } from "../util/names.js";
import { isLockHeld } from "./run-lock.js";

/** A run's identity: nothing on disk is keyed by the id alone. */
export interface RunAddress {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
}

/** Written into every run folder at init: which run the folder holds. */
export const RUN_FILE = "run.json";
const RUNS = "runs";
const LOG_FILE = /^attempt-\d+(?:-[A-Za-z0-9_.-]+)?\.rlog$/;

/**
 * THE place that names a run's folder: `<root>/runs/<entity>/<project>/<id>`. Every reader and
 * writer (init, resume, sync, the Api's file reads, run files, restore, the server) goes
 * through it, so two projects' runs with the same id never share a folder.
 *
 * Older roots kept runs in `<root>/runs/<id>` (with a `run.json` naming the run). Such a folder
 * is moved to its new place the first time the run is looked up — one atomic rename — unless a
 * live process still writes it or the root is read-only; then it is used where it is.
 */
export function runFolder(root: string, address: RunAddress): string {
  const entity = validateScopeName("entity", address.entity);
  const project = validateScopeName("project", address.project);
  const id = validateRunId(address.id);
  const runs = join(resolve(root), RUNS);
  const folder = join(runs, entity, project, id);
  // An older run whose id equals this entity's name sits where the entity's folder goes.
  moveAside(join(runs, entity));
  if (existsSync(folder)) return folder;
  const legacy = join(runs, id);
  const found = readRunAddress(legacy);
  if (found === undefined || !sameRun(found, { entity, project, id })) return folder;
  return migrate(legacy, folder) ? folder : legacy;
}

/**
 * For a writer: refuses when `runs/<entity>` is still an older run's folder (one whose id is this
 * entity's name, that a live process writes, so it could not move): new runs would land inside it.
 */
export function checkEntityFolderFree(root: string, entity: string): void {
  const dir = join(resolve(root), RUNS, entity);
  if (!existsSync(join(dir, RUN_FILE))) return;
  throw new RunlogError(
    "RESUME_CONFLICT",
    `${dir} is the folder of an older run (id "${basename(dir)}") that a live process still writes, and entity "${entity}" needs that name. Let that run finish, then start this one again.`,
  );
}

/** The run a folder holds, from its `run.json`; undefined when it has none (or it is unreadable). */
export function readRunAddress(dir: string): RunAddress | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dir, RUN_FILE), "utf8")) as Partial<RunAddress>;
    const { entity, project, id } = parsed;
    return typeof entity === "string" && typeof project === "string" && typeof id === "string" ? { entity, project, id } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `dir` is an old-layout run folder (`runs/<id>` holding a run.json or logs). */
function isLegacyRunFolder(dir: string): boolean {
  return existsSync(join(dir, RUN_FILE)) || listNames(dir).some((name) => LOG_FILE.test(name));
}

/** Moves an old-layout run folder at `dir` to its new place, when it is one. */
function moveAside(dir: string): void {
  if (!existsSync(join(dir, RUN_FILE))) return;
  const address = readRunAddress(dir);
  if (address !== undefined) migrate(dir, join(dirname(dir), address.entity, address.project, address.id));
}

/**
 * Renames an old run folder to `target`; false when it must stay (a live writer, a read-only
 * root, a target that already exists). Safe to race: one rename wins, the others find the target.
 */
function migrate(legacy: string, target: string): boolean {
  if (isLockHeld(join(legacy, "run.lock"))) return false;
  try {
    if (target.startsWith(legacy + sep)) {
      // runs/<id> with entity == id: its new place is inside it, so go through a temporary name.
      const temp = join(dirname(legacy), `.migrating-${basename(legacy)}-${randomBytes(4).toString("hex")}`);
      renameSync(legacy, temp);
      mkdirSync(dirname(target), { recursive: true });
      renameSync(temp, target);
    } else {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(legacy, target);
    }
    return true;
  } catch {
    return existsSync(target);
  }
}

function sameRun(a: RunAddress, b: RunAddress): boolean {
  return a.entity === b.entity && a.project === b.project && a.id === b.id;
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface RunFolderEntry {
  readonly dir: string;
  /** From the folder's run.json; undefined for an old folder that has logs but no run.json. */
  readonly address: RunAddress | undefined;
}

/**
 * Every run folder under `root` (for `runlog sync --all`): the new layout, plus old `runs/<id>`
 * folders, which are moved into place first where they can be (and listed where they are
 * otherwise), and folders a crash left mid-move (`runs/.migrating-*`).
 */
export function listRunFolders(root: string): RunFolderEntry[] {
  const runs = join(resolve(root), RUNS);
  for (const name of listNames(runs)) moveAside(join(runs, name));
  const found: RunFolderEntry[] = [];
  for (const name of listNames(runs).sort()) {
    const top = join(runs, name);
    if (isLegacyRunFolder(top)) {
      found.push({ dir: top, address: readRunAddress(top) });
      continue;
    }
    for (const project of listNames(top).sort()) {
      for (const id of listNames(join(top, project)).sort()) {
        const dir = join(top, project, id);
        if (isLegacyRunFolder(dir)) found.push({ dir, address: readRunAddress(dir) });
      }
    }
  }
  return found;
}

/**
 * Whether a live process writes any run under `root` (its `run.lock` is held), in either layout.
 * Read-only, unlike `listRunFolders`: readers call it and must not move folders.
 */
export function hasLiveRunWriter(root: string): boolean {
  const runs = join(resolve(root), RUNS);
  for (const name of listNames(runs)) {
    const top = join(runs, name);
    if (hasLiveLock(top)) return true;
    for (const project of listNames(top)) {
      for (const id of listNames(join(top, project))) if (hasLiveLock(join(top, project, id))) return true;
    }
  }
  return false;
}

/** `run.lock`, or a shared-mode writer's `writer-<label>.lock`, held by a live process. */
function hasLiveLock(dir: string): boolean {
  if (isLockHeld(join(dir, "run.lock"))) return true;
  return listNames(dir).some((name) => /^writer-[^/]+\.lock$/.test(name) && isLockHeld(join(dir, name)));
}

/**
 * The root a run folder belongs to: `<root>/runs/<entity>/<project>/<id>` or, in an older
 * root, `<root>/runs/<id>`.
 */
export function rootOfRunFolder(dir: string): string {
  const folder = resolve(dir);
  const address = readRunAddress(folder);
  const up = (n: number) => Array.from({ length: n }).reduce<string>((d) => dirname(d), folder);
  if (address !== undefined && folder.endsWith(join(RUNS, address.entity, address.project, address.id))) return up(4);
  if (basename(dirname(folder)) === RUNS) return up(2);
  // No run.json (an older folder a crash left early): go by the folder names.
  return basename(up(3)) === RUNS ? up(4) : up(2);
}

/** Removes a run folder that init created but could not use (only when it is still empty). */
export function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty or already gone: it holds something worth keeping, or nothing to do.
  }
}
