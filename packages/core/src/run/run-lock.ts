import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { RunlogError } from "../errors.js";

/**
 * One writer per run: `run.lock` in the run folder names the process that writes the run.
 *
 * Taking it is one atomic step: the owner's record is written to a private file that is then
 * hard-linked to `run.lock` (link fails when the lock exists), so the lock never exists
 * half-written. A lock whose owner is dead (pid gone, a zombie, or the pid reused by a process
 * that started later) is taken over, also atomically: only the contender that creates the
 * claim file `run.lock.<generation>.takeover` (the same exclusive step, recursively) may remove
 * that generation of the lock, so two contenders that both saw it dead cannot remove each
 * other's fresh lock.
 */
export interface RunLockOwner {
  readonly pid: number;
  readonly host: string;
  /** The kernel's boot id: a lock written before a reboot is dead. */
  readonly boot?: string;
  /** The owner process's start time (clock ticks since boot): a reused pid is another process. */
  readonly start?: string;
  /** Unique per acquisition: names the lock's generation and tells this process's own locks apart. */
  readonly token?: string;
}

/** The moments between a contender's file-system steps, where the interleaving tests pause it. */
export type LockStep = "create" | "read" | "verify" | "remove" | "release-claim";

export interface LockContext {
  readonly me: RunLockOwner & { readonly token: string };
  /** Whether the process that wrote a lock is still running. */
  isAlive(owner: RunLockOwner): boolean;
}

/** What a contender found at the lock path. */
interface SeenLock {
  readonly owner: RunLockOwner | undefined;
  /** Names this lock file: its token, or (a lock from an older version) inode and mtime. */
  readonly generation: string;
}

const MAX_ROUNDS = 8;
const MAX_CLAIM_DEPTH = 4;

function readLock(path: string): SeenLock | undefined {
  let text: string;
  let info: { ino: number; mtimeMs: number } | undefined;
  try {
    info = statSync(path, { throwIfNoEntry: false });
    if (info === undefined) return undefined;
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let owner: RunLockOwner | undefined;
  try {
    const parsed = JSON.parse(text) as RunLockOwner;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") owner = parsed;
  } catch {
    owner = undefined;
  }
  return { owner, generation: owner?.token ?? `legacy-${info.ino}-${Math.floor(info.mtimeMs)}` };
}

/** Creates `path` holding `content` if it does not exist; false when it does. One atomic step. */
function createExclusive(path: string, content: string, token: string): boolean {
  const draft = `${path}.${token}.new`;
  writeFileSync(draft, content, { flag: "wx" });
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw error;
    // A file system without hard links: O_EXCL create, then write (a reader may briefly see it empty).
    try {
      writeFileSync(path, content, { flag: "wx" });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw fallback;
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

function heldError(path: string, owner: RunLockOwner | undefined): RunlogError {
  const message =
    owner === undefined
      ? `The run's lock ${path} is unreadable, so another writer may hold it. If no process is logging this run, delete that file and try again.`
      : owner.pid === process.pid
        ? `This run is already being logged by a live run in this process (see ${path}). Finish that run first, or choose another id.`
        : `This run is being logged by another live process (pid ${owner.pid} on ${owner.host}, see ${path}); two writers would interleave its history. Wait for it to finish, or choose another id.`;
  return new RunlogError("RESUME_CONFLICT", message, {
    details: { lock: path, ...(owner === undefined ? {} : { pid: owner.pid, host: owner.host }) },
  });
}

/**
 * The acquisition, one step per `yield` (production runs it straight through; tests interleave
 * two contenders step by step). Returns when `ctx.me` holds `path`; throws RESUME_CONFLICT when
 * a live owner does.
 */
export function* acquireSteps(path: string, ctx: LockContext, depth = 0): Generator<LockStep, void, void> {
  const content = JSON.stringify(ctx.me);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    yield "create";
    if (createExclusive(path, content, ctx.me.token)) return;
    yield "read";
    const seen = readLock(path);
    if (seen === undefined) continue; // released meanwhile: try again
    if (seen.owner === undefined || ctx.isAlive(seen.owner)) throw heldError(path, seen.owner);
    if (depth >= MAX_CLAIM_DEPTH) throw heldError(path, undefined);
    // Its owner is dead. Whoever holds this generation's claim is the only one who may remove it.
    const claim = `${path}.${seen.generation}.takeover`;
    yield* acquireSteps(claim, ctx, depth + 1);
    try {
      yield "verify";
      if (readLock(path)?.generation === seen.generation) {
        yield "remove";
        rmSync(path, { force: true });
      }
    } finally {
      yield "release-claim";
      releaseFile(claim, ctx.me.token);
    }
  }
  throw new RunlogError("RESUME_CONFLICT", `The lock ${path} keeps changing hands; another process is starting this run.`);
}

/** Removes `path` if `token` holds it (no one else can replace a live holder's lock). */
function releaseFile(path: string, token: string): void {
  if (readLock(path)?.owner?.token === token) rmSync(path, { force: true });
}

// ---- this process ----

const heldHere = new Set<string>();

function procStat(pid: number | "self"): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "(comm)": field 3 is the state, field 22 the start time (proc(5)).
    return { state: fields[0] ?? "", start: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

const BOOT = bootId();
const SELF_START = procStat("self")?.start;

/** Whether a lock's owner is running: this host, this boot, the pid alive, not a zombie, the same start time. */
export function isOwnerAlive(owner: RunLockOwner): boolean {
  // Another host's processes cannot be checked; as before, its lock does not block (shared roots
  // across hosts are not supported by SQLite either).
  if (owner.host !== hostname()) return false;
  if (owner.boot !== undefined && BOOT !== undefined && owner.boot !== BOOT) return false;
  if (owner.pid === process.pid && (owner.start === undefined || owner.start === SELF_START)) {
    return owner.token !== undefined && heldHere.has(owner.token);
  }
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(owner.pid);
  if (stat === undefined) return true; // no /proc (macOS): the pid answers, so it counts as alive
  if (stat.state === "Z") return false; // killed, not yet reaped by its parent
  return owner.start === undefined || owner.start === stat.start;
}

/** True when `path` is a lock held by a live process (this one's live runs included). */
export function isLockHeld(path: string): boolean {
  const seen = readLock(path);
  return seen !== undefined && (seen.owner === undefined || isOwnerAlive(seen.owner));
}

export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Takes `path` for this process, or throws RESUME_CONFLICT naming the live writer. */
export function acquireRunLock(path: string): RunLock {
  const me = {
    pid: process.pid,
    host: hostname(),
    ...(BOOT === undefined ? {} : { boot: BOOT }),
    ...(SELF_START === undefined ? {} : { start: SELF_START }),
    token: randomBytes(8).toString("hex"),
  };
  try {
    const steps = acquireSteps(path, { me, isAlive: isOwnerAlive });
    while (steps.next().done !== true);
  } catch (error) {
    if (RunlogError.isInstance(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RunlogError("INVALID_ARGUMENT", `Cannot write the run's lock ${path} (${code}); the run folder must be writable.`, {
      cause: error,
    });
  }
  heldHere.add(me.token);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      heldHere.delete(me.token);
      releaseFile(path, me.token);
    },
  };
}
