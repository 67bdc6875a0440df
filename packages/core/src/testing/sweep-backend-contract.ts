import { describe, expect, it } from "vitest";
import { parseSweepConfig, type SweepConfig } from "../sweeps/engine/index.js";
import type { SweepAddress, SweepBackend, TakeResult, TrialRecord } from "../sweeps/sweep-backend.js";

/**
 * The contract every SweepBackend meets (SQLite in core, PostgreSQL through the server). A store
 * under test gives a fresh backend per call (each one another agent's connection) and a way to
 * write a trial's run into the same store.
 */
export interface SweepStoreUnderTest {
  backend(): SweepBackend;
  /** Logs `values` of `key` in run `runId`; `end` false leaves the run live (its writer alive). */
  logRun(
    address: { entity: string; project: string },
    runId: string,
    key: string,
    values: number[],
    end: boolean,
  ): Promise<{ finish(): Promise<void> }>;
}

const WHERE = { entity: "lab", project: "tune" };

export const grid = (a: number, b: number): SweepConfig =>
  parseSweepConfig({
    method: "grid",
    parameters: { a: { values: Array.from({ length: a }, (_, i) => i) }, b: { values: Array.from({ length: b }, (_, i) => `b${i}`) } },
  });

function trialOf(result: TakeResult): TrialRecord {
  if (result.kind !== "trial") expect.fail(`expected a trial, got ${result.kind}: ${result.reason}`);
  return result.trial;
}

const take = (backend: SweepBackend, address: SweepAddress, agentId: string, leaseSeconds = 60) =>
  backend.takeTrial(address, { agentId, leaseSeconds });

export function describeSweepBackendContract(name: string, open: () => Promise<SweepStoreUnderTest>): void {
  describe(`SweepBackend contract: ${name}`, () => {
    it("creates, finds and reads a sweep, and moves it through W&B's states only", async () => {
      const store = await open();
      const backend = store.backend();
      const sweep = await backend.createSweep({ ...WHERE, config: grid(2, 2) });
      expect(sweep).toMatchObject({ ...WHERE, state: "running", config: grid(2, 2) });
      expect(await store.backend().getSweep(sweep)).toEqual(sweep);
      expect(await backend.findSweeps(sweep.id)).toEqual([{ ...WHERE, id: sweep.id }]);
      expect(await backend.getSweep({ ...WHERE, id: "nosuch" })).toBeUndefined();
      expect((await backend.setSweepState(sweep, "paused")).state).toBe("paused");
      expect((await backend.setSweepState(sweep, "running")).state).toBe("running");
      expect((await backend.setSweepState(sweep, "stopped")).state).toBe("stopped");
      await expect(backend.setSweepState(sweep, "running")).rejects.toMatchObject({ code: "SWEEP_STATE_INVALID" });
      await expect(backend.setSweepState({ ...WHERE, id: "nosuch" }, "paused")).rejects.toMatchObject({ code: "SWEEP_NOT_FOUND" });
      await expect(backend.createSweep({ ...WHERE, config: grid(1, 1), id: sweep.id })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });

    it("lists a project's sweeps newest first, and none of another project's or entity's", async () => {
      const store = await open();
      const backend = store.backend();
      expect(await backend.listSweeps(WHERE.entity, WHERE.project)).toEqual([]);
      const first = await backend.createSweep({ ...WHERE, config: grid(1, 1), id: "first" });
      const second = await store.backend().createSweep({ ...WHERE, config: grid(2, 1), id: "second" });
      await backend.createSweep({ entity: WHERE.entity, project: "elsewhere", config: grid(1, 1), id: "third" });
      await backend.createSweep({ entity: "rival", project: WHERE.project, config: grid(1, 1), id: "fourth" });
      const paused = await backend.setSweepState(first, "paused");
      expect(await store.backend().listSweeps(WHERE.entity, WHERE.project)).toEqual([second, paused]);
      expect((await backend.listSweeps("rival", WHERE.project)).map((s) => s.id)).toEqual(["fourth"]);
      expect(await backend.listSweeps("nobody", "nothing")).toEqual([]);
    });

    it("hands every grid point out exactly once across agents, then finishes the sweep", async () => {
      const store = await open();
      const agents = [store.backend(), store.backend(), store.backend()];
      const sweep = await (agents[0] as SweepBackend).createSweep({ ...WHERE, config: grid(4, 3) });
      const taken: TrialRecord[] = [];
      for (let i = 0; i < 12; i++) taken.push(trialOf(await take(agents[i % 3] as SweepBackend, sweep, `agent-${i % 3}`)));
      const points = taken.map((t) => JSON.stringify(t.params));
      expect(new Set(points).size).toBe(12);
      expect(new Set(taken.map((t) => t.runId)).size).toBe(12);
      expect(await take(agents[1] as SweepBackend, sweep, "agent-1")).toMatchObject({ kind: "done" });
      // Still "running" while trials are in flight; finished once they all ended and the grid is spent.
      expect((await agents[0]?.getSweep(sweep))?.state).toBe("running");
      for (const trial of taken)
        await agents[2]?.reportTrial(sweep, trial.runId, { agentId: "agent-2", leaseSeconds: 60, state: "finished" });
      expect(await take(agents[0] as SweepBackend, sweep, "agent-0")).toMatchObject({ kind: "done" });
      expect((await agents[1]?.getSweep(sweep))?.state).toBe("finished");
      const listed = await agents[1]?.listTrials(sweep);
      expect(listed?.map((t) => t.runId)).toEqual(taken.map((t) => t.runId));
      expect(listed?.every((t) => t.state === "finished")).toBe(true);
    });

    it("hands out nothing while paused, and again once resumed; nothing once stopped", async () => {
      const store = await open();
      const backend = store.backend();
      const sweep = await backend.createSweep({ ...WHERE, config: grid(3, 1) });
      await store.backend().setSweepState(sweep, "paused");
      expect(await take(backend, sweep, "a")).toMatchObject({ kind: "wait" });
      expect(await backend.listTrials(sweep)).toEqual([]);
      await backend.setSweepState(sweep, "running");
      trialOf(await take(backend, sweep, "a"));
      await backend.setSweepState(sweep, "stopped");
      expect(await take(backend, sweep, "a")).toMatchObject({ kind: "done" });
      expect(await backend.listTrials(sweep)).toHaveLength(1);
    });

    it("caps a random sweep at run_cap", async () => {
      const store = await open();
      const backend = store.backend();
      const sweep = await backend.createSweep({
        ...WHERE,
        config: parseSweepConfig({ method: "random", run_cap: 3, parameters: { lr: { min: 0.1, max: 0.2 } } }),
      });
      for (let i = 0; i < 3; i++) {
        const trial = trialOf(await take(backend, sweep, "a"));
        expect(trial.params.lr).toBeGreaterThanOrEqual(0.1);
        expect(trial.params.lr).toBeLessThanOrEqual(0.2);
      }
      expect(await take(backend, sweep, "a")).toMatchObject({ kind: "done" });
    });

    it("requeues a trial whose agent died before its run started, to another agent with the same run id", async () => {
      const store = await open();
      const backend = store.backend();
      const sweep = await backend.createSweep({ ...WHERE, config: grid(2, 1) });
      // A lease already over: the agent "died" the moment it took the trial.
      const lost = trialOf(await take(backend, sweep, "dead", -1));
      const again = trialOf(await take(store.backend(), sweep, "alive"));
      expect(again).toMatchObject({ runId: lost.runId, params: lost.params, state: "pending", agentId: "alive" });
      const other = trialOf(await take(backend, sweep, "alive"));
      expect(other.params).not.toEqual(lost.params);
      expect(await take(backend, sweep, "alive")).toMatchObject({ kind: "done" });
    });

    it("marks a dead agent's started trial crashed (its point is spent) or with its run's final state", async () => {
      const store = await open();
      const backend = store.backend();
      const sweep = await backend.createSweep({ ...WHERE, config: grid(3, 1) });
      const live = trialOf(await take(backend, sweep, "dead"));
      const ended = trialOf(await take(backend, sweep, "dead"));
      // Both runs started, then the agent went silent: its last report's lease is already over.
      await backend.reportTrial(sweep, live.runId, { agentId: "dead", leaseSeconds: -1, state: "running" });
      await backend.reportTrial(sweep, ended.runId, { agentId: "dead", leaseSeconds: -1, state: "running" });
      const liveRun = await store.logRun(WHERE, live.runId, "loss", [3, 2], false);
      await store.logRun(WHERE, ended.runId, "loss", [5], true);
      const third = trialOf(await take(store.backend(), sweep, "alive"));
      expect([live.params, ended.params]).not.toContainEqual(third.params);
      const states = Object.fromEntries((await backend.listTrials(sweep)).map((t) => [t.runId, t.state]));
      expect(states).toEqual({ [live.runId]: "crashed", [ended.runId]: "finished", [third.runId]: "pending" });
      await liveRun.finish();
    });

    it("reports the sweep metric's history per trial, and tells agents to stop when the sweep is cancelled", async () => {
      const store = await open();
      const backend = store.backend();
      const config: SweepConfig = { ...grid(2, 1), metric: { name: "loss", goal: "minimize" } };
      const sweep = await backend.createSweep({ ...WHERE, config });
      const trial = trialOf(await take(backend, sweep, "a"));
      await (await store.logRun(WHERE, trial.runId, "loss", [0.9, 0.5, 0.25], true)).finish();
      expect(await backend.reportTrial(sweep, trial.runId, { agentId: "a", leaseSeconds: 60 })).toEqual({ stop: false });
      expect((await store.backend().listTrials(sweep))[0]?.metricHistory).toEqual([0.9, 0.5, 0.25]);
      await store.backend().setSweepState(sweep, "cancelled");
      expect(await backend.reportTrial(sweep, trial.runId, { agentId: "a", leaseSeconds: 60 })).toEqual({ stop: true });
      await expect(backend.reportTrial(sweep, "nosuchrun", { agentId: "a", leaseSeconds: 60 })).rejects.toMatchObject({
        code: "RUN_NOT_FOUND",
      });
    });
  });
}
