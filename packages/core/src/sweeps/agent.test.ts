import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Api } from "../api/api.js";
import { init } from "../run/init.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { QUIET, tempRoot } from "../test-support/temp-root.js";
import { agent } from "./agent.js";
import { setSweepState } from "./control.js";
import { SqliteSweepBackend } from "./sqlite-sweep-backend.js";
import { sweep } from "./sweep.js";

const GRID = { method: "grid", parameters: { a: { values: [1, 2] }, b: { values: ["x", "y"] } } };

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function trialsOf(root: string, entity: string, project: string, id: string) {
  const backend = new SqliteSweepBackend(join(root, DB_FILE));
  try {
    return await backend.listTrials({ entity, project, id });
  } finally {
    backend.close();
  }
}

describe("sweep() and agent() in one process", () => {
  it("runs each grid point once; init() inside a trial takes the trial's config, locked, and records the sweep", async () => {
    const root = tempRoot();
    const id = await sweep(GRID, { project: "tune", entity: "lab", dir: root });
    const warnings: string[] = [];
    const stderr = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      warnings.push(String(chunk));
      return stderr(chunk, ...(rest as []));
    });
    const seen: { id: string; a: unknown; b: unknown; sweepId: string | undefined; sweepUrl: string | undefined }[] = [];
    await agent(id, {
      dir: root,
      fn: async () => {
        const run = await init({ config: { a: 100, other: "kept" }, settings: QUIET });
        run.config.update({ a: 999 });
        run.config.b = "changed";
        seen.push({ id: run.id, a: run.config.a, b: run.config.b, sweepId: run.sweepId, sweepUrl: run.sweepUrl });
        run.log({ loss: Number(run.config.a) });
        await run.finish();
      },
    });
    expect(seen.map((s) => `${s.a}${s.b}`).sort()).toEqual(["1x", "1y", "2x", "2y"]);
    expect(seen.every((s) => s.sweepId === id && s.sweepUrl?.endsWith(`/lab/tune/sweeps/${id}`))).toBe(true);
    expect(warnings.filter((w) => w.includes("Config item 'a' was locked by 'sweep' (ignored update)."))).toHaveLength(4);
    const trials = await trialsOf(root, "lab", "tune", id);
    expect(trials.map((t) => t.runId).sort()).toEqual(seen.map((s) => s.id).sort());
    expect(trials.every((t) => t.state === "finished")).toBe(true);
    const api = new Api({ dir: root });
    try {
      const runs = await api.runs("lab/tune");
      expect(runs.map((r) => r.sweepId)).toEqual([id, id, id, id]);
      expect(runs.map((r) => r.config.other)).toEqual(["kept", "kept", "kept", "kept"]);
    } finally {
      api.close();
    }
    expect(process.env.RUNLOG_SWEEP_ID).toBeUndefined();
  });

  it("runs at most count trials, and the next agent continues where it stopped", async () => {
    const root = tempRoot();
    const id = await sweep(GRID, { project: "tune", entity: "lab", dir: root });
    const ran: unknown[] = [];
    const fn = async () => {
      const run = await init({ settings: QUIET });
      ran.push(`${run.config.a}${run.config.b}`);
      await run.finish();
    };
    await agent(`lab/tune/${id}`, { dir: root, fn, count: 1 });
    expect(ran).toHaveLength(1);
    await agent(id, { dir: root, fn, count: 10 });
    expect([...ran].sort()).toEqual(["1x", "1y", "2x", "2y"]);
  });

  it("gives up with AGENT_FAILED after 5 failed trials in a row from the start, as W&B's agent does", async () => {
    const root = tempRoot();
    const id = await sweep(
      { method: "grid", parameters: { a: { values: [1, 2, 3, 4, 5, 6, 7] } } },
      { project: "tune", entity: "lab", dir: root },
    );
    let calls = 0;
    const failing = agent(id, {
      dir: root,
      fn: () => {
        calls++;
        throw new Error("broken training script");
      },
    });
    await expect(failing).rejects.toMatchObject({ name: "RunlogError", code: "AGENT_FAILED" });
    expect(calls).toBe(5);
    expect((await trialsOf(root, "lab", "tune", id)).map((t) => t.state)).toEqual(["failed", "failed", "failed", "failed", "failed"]);
  });

  it("tells a function trial to stop through its signal when the sweep is cancelled, and records the trial stopped", async () => {
    vi.stubEnv("RUNLOG_AGENT_HEARTBEAT_SECONDS", "0.05");
    const root = tempRoot();
    const id = await sweep(GRID, { project: "tune", entity: "lab", dir: root });
    const told: { runId: string; params: Record<string, unknown> }[] = [];
    await agent(id, {
      dir: root,
      fn: async ({ runId, params, signal }) => {
        told.push({ runId, params });
        const run = await init({ settings: QUIET });
        await setSweepState(id, "cancelled", { dir: root });
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        await run.finish();
      },
    });
    expect(told).toHaveLength(1);
    expect(told[0]?.params).toEqual({ a: 1, b: "x" });
    expect((await trialsOf(root, "lab", "tune", id)).map((t) => [t.runId, t.state])).toEqual([[told[0]?.runId, "stopped"]]);
  });

  it("answers bad input with RunlogErrors", async () => {
    const root = tempRoot();
    await expect(sweep({ method: "annealing", parameters: {} }, { dir: root })).rejects.toMatchObject({ code: "SWEEP_CONFIG_INVALID" });
    await expect(sweep(GRID, { dir: root, project: "a/b" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(agent("nosuch", { dir: root, fn: () => {} })).rejects.toMatchObject({ code: "SWEEP_NOT_FOUND" });
    await expect(agent("../../etc", { dir: root })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const id = await sweep(GRID, { dir: root, project: "tune" });
    await expect(agent(id, { dir: root, count: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(agent(id, { dir: root, fn: 3 as unknown as () => void })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    // Online without a server to go to says how to name one.
    vi.stubEnv("RUNLOG_BASE_URL", "");
    vi.stubEnv("WANDB_BASE_URL", "");
    await expect(sweep(GRID, { dir: root, mode: "online" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringContaining("RUNLOG_BASE_URL"),
    });
    await expect(sweep(GRID, { mode: "online", baseUrl: "ftp://x" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    vi.unstubAllEnvs();
  });
});
