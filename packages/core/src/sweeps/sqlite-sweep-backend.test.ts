import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteReader } from "../store/sqlite/sqlite-reader.js";
import { rebuildStore } from "../store/sqlite/store-check.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { describeSweepBackendContract, grid } from "../testing/sweep-backend-contract.js";
import { SqliteSweepBackend, type TakeStep } from "./sqlite-sweep-backend.js";
import type { SweepBackend } from "./sweep-backend.js";

const opened: SweepBackend[] = [];
afterEach(() => {
  for (const backend of opened.splice(0)) backend.close();
});

function openBackend(root: string, options = {}): SqliteSweepBackend {
  const backend = new SqliteSweepBackend(join(root, DB_FILE), options);
  opened.push(backend);
  return backend;
}

describeSweepBackendContract("embedded SQLite", async () => {
  const root = tempRoot();
  return {
    backend: () => openBackend(root),
    async logRun(where, runId, key, values, end) {
      const run = await initIn(root, { ...where, id: runId });
      for (const value of values) run.log({ [key]: value });
      if (end) {
        await run.finish();
        return { finish: async () => {} };
      }
      // The run's record reaches the store through its worker: wait until readers see it.
      const reader = new SqliteReader(join(root, DB_FILE));
      await vi.waitFor(async () => expect(await reader.getRun(where.entity, where.project, runId)).toBeDefined(), { timeout: 20_000 });
      reader.close();
      return { finish: () => run.finish() };
    },
  };
});

describe("SQLite trial hand-out under the write lock", () => {
  const STEPS: TakeStep[] = ["locked", "decided", "written"];

  // Two takers on two connections. At each critical step of one, the other tries to take too
  // (without waiting for the lock): it must be refused while the first holds the lock, and the
  // two must end with different points whichever step the second one tried at.
  for (const [first, second] of [
    ["A", "B"],
    ["B", "A"],
  ] as const) {
    for (const step of STEPS) {
      it(`${second} trying at ${first}'s "${step}" step gets the lock only after ${first} committed`, async () => {
        const root = tempRoot();
        const attempts: string[] = [];
        let other: SqliteSweepBackend | undefined;
        const hooks = {
          A: openBackend(root, {
            busyWaitMs: 0,
            onStep: (at: TakeStep) => first === "A" && at === step && tryOther(),
          }),
          B: openBackend(root, {
            busyWaitMs: 0,
            onStep: (at: TakeStep) => first === "B" && at === step && tryOther(),
          }),
        };
        function tryOther(): void {
          other = hooks[second];
          try {
            attempts.push(`took ${other.takeTrialLocked(address, { agentId: second, leaseSeconds: 60 }).kind}`);
          } catch (error) {
            attempts.push(`refused ${(error as { code?: string }).code}`);
          }
        }
        const created = await hooks.A.createSweep({ entity: "lab", project: "tune", config: grid(2, 1) });
        const address = { entity: "lab", project: "tune", id: created.id };
        const firstTrial = await hooks[first].takeTrial(address, { agentId: first, leaseSeconds: 60 });
        expect(attempts).toEqual(["refused SQLITE_BUSY"]);
        const secondTrial = await hooks[second].takeTrial(address, { agentId: second, leaseSeconds: 60 });
        expect(firstTrial.kind).toBe("trial");
        expect(secondTrial.kind).toBe("trial");
        if (firstTrial.kind !== "trial" || secondTrial.kind !== "trial") return;
        expect(secondTrial.trial.params).not.toEqual(firstTrial.trial.params);
        expect(other).toBe(hooks[second]);
      });
    }
  }
});

describe("sweeps across a store rebuild", () => {
  it("runlog sync --rebuild carries sweeps and their trials over (they live only in the store)", async () => {
    const root = tempRoot();
    const before = openBackend(root);
    const created = await before.createSweep({ entity: "lab", project: "tune", config: grid(2, 1) });
    const taken = before.takeTrialLocked(created, { agentId: "a", leaseSeconds: 60 });
    before.close();
    opened.splice(opened.indexOf(before), 1);
    rebuildStore(root);
    const after = openBackend(root);
    expect(await after.getSweep(created)).toEqual(created);
    expect((await after.listTrials(created)).map((t) => t.runId)).toEqual([taken.kind === "trial" ? taken.trial.runId : "none"]);
  });
});
