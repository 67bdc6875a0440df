import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SqliteSweepBackend } from "../../core/src/sweeps/sqlite-sweep-backend.js";
import { startBridge } from "./index.js";

// runlog.sweep() / runlog.agent() from a real Python script through a real bridge: the agent runs
// in the bridge (core's, on the store), each trial's function in Python.
const SCRIPT = fileURLToPath(new URL("../python/tests/sweep_script.py", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runlog-pysweep-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

type Trial = { id: string; sweep_id?: string; env_run_id?: string; config: Record<string, unknown>; warned?: string[] };
type Seen = {
  grid: Trial[];
  random: Trial[];
  hyperband: { id: string; quality: string; logged: number }[];
  grid_id: string;
  random_id: string;
  hyperband_id: string;
  env_after: string | null;
  errors: Record<string, [string, string | null] | null>;
};

async function trials(id: string) {
  const backend = new SqliteSweepBackend(join(dir, "store", "runlog.db"));
  try {
    const [address] = await backend.findSweeps(id);
    return address === undefined ? [] : await backend.listTrials(address);
  } finally {
    backend.close();
  }
}

describe("runlog.sweep and runlog.agent (W&B's signatures) in Python", () => {
  it("runs a grid and a random sweep with count, each point once with its config; hyperband stops a bad trial; errors as W&B's", async () => {
    vi.stubEnv("RUNLOG_AGENT_HEARTBEAT_SECONDS", "0.1"); // read by the agent inside this process's bridge
    const bridge = await startBridge({ endpoint: `ipc://${join(dir, "bridge.sock")}`, dir: join(dir, "store"), log: () => {} });
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(venvPython("dev"), [SCRIPT], { env: { ...process.env, RUNLOG_BRIDGE: bridge.endpoint }, cwd: dir });
    } finally {
      await bridge.close();
      vi.unstubAllEnvs();
    }
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout.trim().split("\n").at(-1) as string) as Seen;

    // Grid: every point once, the trial's params as config (the swept key locked against the user's update), sweep_id set.
    expect(seen.grid.map((t) => `${t.config.a}${t.config.b}`).sort()).toEqual(["1x", "1y", "2x", "2y", "3x", "3y"]);
    for (const trial of seen.grid) {
      expect(trial.config).toEqual({ a: trial.config.a, b: trial.config.b, other: "kept" });
      expect([trial.sweep_id, trial.env_run_id]).toEqual([seen.grid_id, trial.id]);
      expect(trial.warned).toEqual(["Config item 'a' was locked by 'sweep' (ignored update)."]);
    }
    const gridTrials = await trials(seen.grid_id);
    expect(gridTrials.map((t) => [t.runId, t.state, t.params]).sort()).toEqual(
      seen.grid.map((t) => [t.id, "finished", { a: t.config.a, b: t.config.b }]).sort(),
    );
    expect(seen.env_after).toBeNull();

    // Random with count=2, twice: 4 trials, 4 runs, each config its trial's params.
    expect(new Set(seen.random.map((t) => t.id)).size).toBe(4);
    const randomTrials = await trials(seen.random_id);
    expect(randomTrials.map((t) => [t.runId, t.params]).sort()).toEqual(seen.random.map((t) => [t.id, t.config]).sort());
    for (const trial of seen.random) {
      expect(trial.sweep_id).toBe(seen.random_id);
      expect(Object.keys(trial.config).sort()).toEqual(["lr", "opt"]);
      expect(trial.config.lr).toBeGreaterThanOrEqual(0.001);
      expect(trial.config.lr).toBeLessThanOrEqual(0.1);
      expect(["adam", "sgd"]).toContain(trial.config.opt);
    }

    // Hyperband: the bad trial was stopped midway (its function was interrupted) and is recorded stopped.
    const byQuality = Object.fromEntries(seen.hyperband.map((t) => [t.quality, t]));
    expect([byQuality.good?.logged, byQuality.fine?.logged]).toEqual([300, 300]);
    expect(byQuality.bad?.logged).toBeLessThan(600);
    const hyperbandTrials = await trials(seen.hyperband_id);
    expect(Object.fromEntries(hyperbandTrials.map((t) => [t.params.quality, t.state]))).toEqual({
      good: "finished",
      fine: "finished",
      bad: "stopped",
    });

    const api = new Api({ dir: join(dir, "store") });
    try {
      const runs = await api.runs("root/tune");
      expect(runs.filter((r) => r.sweepId === seen.grid_id)).toHaveLength(6);
    } finally {
      api.close();
    }
    expect(seen.errors).toEqual({
      not_callable: ["TypeError", null],
      bad_config: ["BridgeError", "SWEEP_CONFIG_INVALID"],
      not_a_dict: ["UsageError", "INVALID_ARGUMENT"],
      unknown_sweep: ["BridgeError", "SWEEP_NOT_FOUND"],
      bad_failures: ["ValueError", null],
    });
  }, 180_000);
});
