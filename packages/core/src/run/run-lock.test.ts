import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { tempRoot } from "../test-support/temp-root.js";
import { acquireRunLock, acquireSteps, isOwnerAlive, type LockContext, type LockStep, type RunLockOwner } from "./run-lock.js";

type Name = "A" | "B";
type Outcome = Record<Name, "won" | string>;

/** Two contenders (same host, told apart by token) whose liveness the test decides. */
function contenders(live: Set<string>): Record<Name, LockContext> {
  const isAlive = (owner: RunLockOwner) => owner.token !== undefined && live.has(owner.token);
  const ctx = (token: string, pid: number): LockContext => ({ me: { pid, host: "test-host", token }, isAlive });
  return { A: ctx("tokenAAAA", 1001), B: ctx("tokenBBBB", 1002) };
}

/**
 * Replays one schedule (who takes the next step) from a fresh folder: true when both contenders
 * are still mid-acquisition after it (the schedule must be extended), else the outcome.
 */
function replay(
  setup: (dir: string) => void,
  schedule: Name[],
  dir: string,
): { open: true } | { open: false; outcome: Outcome; dir: string } {
  mkdirSync(dir);
  setup(dir);
  const lock = join(dir, "run.lock");
  const ctx = contenders(new Set(["tokenAAAA", "tokenBBBB"]));
  const steps: Record<Name, Generator<LockStep, void, void>> = { A: acquireSteps(lock, ctx.A), B: acquireSteps(lock, ctx.B) };
  const outcome: Partial<Outcome> = {};
  const advance = (who: Name) => {
    try {
      if (steps[who].next().done === true) outcome[who] = "won";
    } catch (error) {
      outcome[who] = RunlogError.isInstance(error) ? error.code : String(error);
    }
  };
  for (const who of schedule) advance(who);
  if (outcome.A === undefined && outcome.B === undefined) return { open: true };
  for (const who of ["A", "B"] as const) while (outcome[who] === undefined) advance(who);
  return { open: false, outcome: outcome as Outcome, dir };
}

/**
 * Every interleaving of the two contenders' steps (like PostgreSQL's isolation tester
 * permutations), or, with `maxSwitches`, every one that switches contender at most that often
 * (bounded preemption, as in CHESS: the long schedules of a takeover of a takeover).
 */
function everyInterleaving(setup: (dir: string) => void, maxSwitches = Number.POSITIVE_INFINITY) {
  const root = tempRoot();
  const done: { outcome: Outcome; dir: string; schedule: string }[] = [];
  let replays = 0;
  const explore = (schedule: Name[], switches: number) => {
    const result = replay(setup, schedule, join(root, String(replays++)));
    if (!result.open) {
      done.push({ outcome: result.outcome, dir: result.dir, schedule: schedule.join("") });
      return;
    }
    for (const next of ["A", "B"] as const) {
      const switched = schedule.length > 0 && schedule[schedule.length - 1] !== next ? 1 : 0;
      if (switches + switched <= maxSwitches) explore([...schedule, next], switches + switched);
    }
  };
  explore([], 0);
  return done;
}

function expectExactlyOneWinner(runs: { outcome: Outcome; dir: string; schedule: string }[]) {
  for (const { outcome, dir, schedule } of runs) {
    const winners = (["A", "B"] as const).filter((who) => outcome[who] === "won");
    expect({ schedule, winners: winners.length, outcome }).toMatchObject({ winners: 1 });
    const loser = winners[0] === "A" ? "B" : "A";
    expect({ schedule, loser: outcome[loser] }).toEqual({ schedule, loser: "RESUME_CONFLICT" });
    const held = JSON.parse(readFileSync(join(dir, "run.lock"), "utf8")) as RunLockOwner;
    expect({ schedule, holder: held.token }).toEqual({ schedule, holder: winners[0] === "A" ? "tokenAAAA" : "tokenBBBB" });
    // No claim or draft file is left behind, whatever the order.
    expect({ schedule, files: readdirSync(dir) }).toEqual({ schedule, files: ["run.lock"] });
  }
}

const deadLock = (dir: string, extra: Partial<RunLockOwner> = {}) =>
  writeFileSync(join(dir, "run.lock"), JSON.stringify({ pid: 999, host: "test-host", token: "deadbeef", ...extra }));

describe("run lock: check and take are one step, in every interleaving of two contenders", () => {
  it("no lock yet: exactly one of two contenders takes it", () => {
    const runs = everyInterleaving(() => {});
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expectExactlyOneWinner(runs);
  });

  it("a dead owner's lock: exactly one takes it over, and no order lets both remove it", () => {
    const runs = everyInterleaving((dir) => deadLock(dir), 3);
    // Both orders of every pair of steps: read/read, remove/create, create/remove, …
    expect(runs.length).toBeGreaterThan(100);
    expectExactlyOneWinner(runs);
  });

  it("a dead owner's lock plus the claim of a contender that died mid-takeover: still exactly one", () => {
    const runs = everyInterleaving((dir) => {
      deadLock(dir);
      writeFileSync(join(dir, "run.lock.deadbeef.takeover"), JSON.stringify({ pid: 998, host: "test-host", token: "deadclaim" }));
    }, 2);
    expect(runs.length).toBeGreaterThan(100);
    expectExactlyOneWinner(runs);
  });

  it("a lock written by an older version ({ pid, host }, no token): exactly one takes it over", () => {
    const runs = everyInterleaving((dir) => writeFileSync(join(dir, "run.lock"), JSON.stringify({ pid: 999, host: "test-host" })), 3);
    expect(runs.length).toBeGreaterThan(100);
    expectExactlyOneWinner(runs);
  });
});

describe("run lock liveness", () => {
  const stat = (pid: number | "self") => {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ")[19] as string;
  };

  it("a live process with its start time holds; the same pid with another start time (reused) does not", () => {
    const parent = { pid: process.ppid, host: hostname(), start: stat(process.ppid) };
    expect(isOwnerAlive(parent)).toBe(true);
    expect(isOwnerAlive({ ...parent, start: "1" })).toBe(false);
    expect(isOwnerAlive({ ...parent, boot: "another-boot" })).toBe(false);
  });

  it("this process holds its own live lock once; a second acquire is refused until it is released", () => {
    const path = join(tempRoot(), "run.lock");
    const first = acquireRunLock(path);
    expect(() => acquireRunLock(path)).toThrowError(
      expect.objectContaining({ code: "RESUME_CONFLICT", message: expect.stringMatching(/in this process/) }),
    );
    first.release();
    const second = acquireRunLock(path);
    second.release();
    expect(readdirSync(join(path, ".."))).toEqual([]);
  });

  it("a lock left by an earlier run of this process that was never released (same pid, token not held) is taken over", () => {
    const path = join(tempRoot(), "run.lock");
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), start: stat("self"), token: "forgotten" }));
    const lock = acquireRunLock(path);
    expect(JSON.parse(readFileSync(path, "utf8")).token).not.toBe("forgotten");
    lock.release();
  });

  it("an unwritable run folder answers with a RunlogError, not EACCES", () => {
    expect(() => acquireRunLock("/proc/run.lock")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});
