import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * A small file that says which process is running a run, so `resume` can tell a live run
 * (refuse: two writers would interleave) from one whose process died (continue at once,
 * without waiting for the crash timeout).
 */
export interface RunLockOwner {
  readonly pid: number;
  readonly host: string;
}

export function readLockOwner(path: string): RunLockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as RunLockOwner;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** True when the lock's owner is a live process on this host other than us. */
export function isHeldByLiveProcess(path: string): boolean {
  const owner = readLockOwner(path);
  if (owner === undefined || owner.host !== hostname() || owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(owner.pid);
}

/** A killed process that its parent has not reaped yet still answers kill(pid, 0); it is dead all the same. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

export function takeLock(path: string): void {
  writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname() }));
}

export function releaseLock(path: string): void {
  if (readLockOwner(path)?.pid === process.pid) rmSync(path, { force: true });
}
