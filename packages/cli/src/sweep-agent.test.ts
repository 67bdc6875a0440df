import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { finished, onLines } from "@runlog/test-support/child-process";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it, vi } from "vitest";
import { SqliteSweepBackend } from "../../core/src/sweeps/sqlite-sweep-backend.js";

const BIN = fileURLToPath(new URL("../bin/runlog.js", import.meta.url));
const PROGRAM = fileURLToPath(new URL("./test-support/sweep-trial.mjs", import.meta.url));
// Short heartbeats: a killed agent's lease (3 heartbeats) runs out in well under a second.
const FAST = { RUNLOG_AGENT_HEARTBEAT_SECONDS: "0.1", RUNLOG_AGENT_STOP_GRACE_SECONDS: "0.5" };

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function agentProcess(root: string, id: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): ChildProcess {
  // Its own process group, so a test can kill -9 the agent and its trial together (a host dying).
  return spawn(process.execPath, [BIN, "agent", id, "--dir", root, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...FAST, ...env },
    detached: true,
  });
}

function createSweep(root: string, a: number, b: number, extra: Record<string, unknown> = {}): string {
  const file = join(root, "sweep.json");
  const config = {
    method: "grid",
    program: PROGRAM,
    parameters: { a: { values: Array.from({ length: a }, (_, i) => i) }, b: { values: Array.from({ length: b }, (_, i) => `b${i}`) } },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(config));
  const created = cli(["sweep", file, "--project", "tune", "--entity", "lab", "--dir", root]);
  expect(created.stderr).toMatch(/created sweep/);
  expect(created.code).toBe(0);
  return created.stdout.trim();
}

async function trials(root: string, id: string) {
  const backend = new SqliteSweepBackend(join(root, "runlog.db"));
  try {
    return await backend.listTrials({ entity: "lab", project: "tune", id });
  } finally {
    backend.close();
  }
}

function firstLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    onLines(child, (line) => line.startsWith(prefix) && resolve(line.slice(prefix.length)));
    child.on("exit", () => reject(new Error(`the agent exited before printing "${prefix}"`)));
  });
}

describe("runlog sweep and runlog agent", () => {
  it("8 agent processes on one root run a 48-point grid, each point exactly once", { timeout: 240_000 }, async () => {
    const root = tempRoot();
    const id = createSweep(root, 6, 8);
    const agents = Array.from({ length: 8 }, () => finished(agentProcess(root, id), 200_000));
    const results = await Promise.all(agents);
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    const all = await trials(root, id);
    expect(all).toHaveLength(48);
    expect(new Set(all.map((t) => `${t.params.a}/${t.params.b}`)).size).toBe(48);
    expect(all.every((t) => t.state === "finished")).toBe(true);
    const api = new Api({ dir: root });
    try {
      const runs = await api.runs("lab/tune");
      expect(runs).toHaveLength(48);
      expect(new Set(runs.map((r) => `${r.config.a}/${r.config.b}`)).size).toBe(48);
      expect(runs.every((r) => r.state === "finished" && r.sweepId === id)).toBe(true);
    } finally {
      api.close();
    }
    const backend = new SqliteSweepBackend(join(root, "runlog.db"));
    expect((await backend.getSweep({ entity: "lab", project: "tune", id }))?.state).toBe("finished");
    backend.close();
  });

  it("kill -9 of agents mid-trial: a started trial is marked crashed, a trial not yet started is requeued", {
    timeout: 120_000,
  }, async () => {
    const root = tempRoot();
    const id = createSweep(root, 3, 1);
    const started = agentProcess(root, id, { TRIAL_MODE: "hold" }, ["--count", "1"]);
    const startedRun = await firstLine(started, "started ");
    const holding = agentProcess(root, id, { TRIAL_MODE: "hold-before-init" }, ["--count", "1"]);
    const heldRun = await firstLine(holding, "holding ");
    for (const child of [started, holding]) process.kill(-(child.pid as number), "SIGKILL");
    // Their leases run out with no heartbeat (nothing else to wait for: the store keeps the state).
    await vi.waitFor(
      async () => {
        const now = Date.now() / 1000;
        expect((await trials(root, id)).every((t) => t.leaseUntil < now)).toBe(true);
      },
      { timeout: 20_000, interval: 50 },
    );
    const rest = await finished(agentProcess(root, id), 60_000);
    expect(rest.code).toBe(0);
    const states = Object.fromEntries((await trials(root, id)).map((t) => [t.runId, t.state]));
    expect(Object.keys(states)).toHaveLength(3);
    expect(states[startedRun]).toBe("crashed");
    // The requeued trial ran again, under the same run id, to the end.
    expect(states[heldRun]).toBe("finished");
    expect(Object.values(states).filter((s) => s === "finished")).toHaveLength(2);
  });

  it("a paused sweep hands out nothing; resumed, the waiting agent runs its trial", { timeout: 60_000 }, async () => {
    const root = tempRoot();
    const id = createSweep(root, 2, 1);
    expect(cli(["sweep", "--pause", id, "--dir", root]).code).toBe(0);
    const waiting = agentProcess(root, id, {}, ["--count", "1"]);
    const done = finished(waiting, 50_000);
    let stderr = "";
    waiting.stderr?.on("data", (chunk) => (stderr += chunk));
    await vi.waitFor(() => expect(stderr).toMatch(/is paused; waiting/), { timeout: 20_000, interval: 50 });
    expect(await trials(root, id)).toEqual([]);
    const resumed = cli(["sweep", "--resume", id, "--dir", root]);
    expect(resumed.stderr).toMatch(/is running/);
    expect((await done).code).toBe(0);
    expect((await trials(root, id)).map((t) => t.state)).toEqual(["finished"]);
  });

  it("--cancel stops running trials: SIGTERM, then SIGKILL for a program that ignores it", { timeout: 60_000 }, async () => {
    const root = tempRoot();
    const id = createSweep(root, 2, 1);
    const deaf = agentProcess(root, id, { TRIAL_MODE: "ignore-term" });
    const runId = await firstLine(deaf, "started ");
    const done = finished(deaf, 50_000);
    expect(cli(["sweep", "--cancel", id, "--dir", root]).code).toBe(0);
    const result = await done;
    expect(result.stderr).toMatch(new RegExp(`stopping trial ${runId}`));
    expect(result.code).toBe(0);
    expect((await trials(root, id)).map((t) => [t.runId, t.state])).toEqual([[runId, "stopped"]]);
  });

  it("gives up after 5 failed trials in a row at the start, with exit code 1", { timeout: 60_000 }, async () => {
    const root = tempRoot();
    const id = createSweep(root, 8, 1);
    const result = await finished(agentProcess(root, id, { TRIAL_MODE: "fail" }), 50_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The first 5 trials all failed.*\[AGENT_FAILED\]/);
    expect((await trials(root, id)).map((t) => t.state)).toEqual(Array(5).fill("failed"));
  });

  it("answers bad calls with one line and exit code 2 (usage) or 1 (RunlogError)", () => {
    const root = tempRoot();
    const cases: [string[], number, RegExp][] = [
      [["sweep"], 2, /say which sweep config/],
      [["sweep", "--pause", "--stop", "x"], 2, /pass one of --pause, --stop/],
      [["sweep", "--pause"], 2, /--pause needs the sweep's id/],
      [["sweep", join(root, "missing.yaml")], 1, /Cannot read the sweep config .*missing\.yaml.*\[INVALID_ARGUMENT\]/],
      [["sweep", "--resume", "nosuch", "--dir", root], 1, /No sweep .*nosuch.*\[SWEEP_NOT_FOUND\]/],
      [["agent"], 2, /say which sweep/],
      [["agent", "x", "--count", "0"], 2, /--count needs a whole number/],
      [["agent", "nosuch", "--dir", root], 1, /\[SWEEP_NOT_FOUND\]/],
    ];
    writeFileSync(join(root, "bad.json"), JSON.stringify({ method: "annealing", parameters: {} }));
    cases.push([["sweep", join(root, "bad.json"), "--dir", root], 1, /\[SWEEP_CONFIG_INVALID\]/]);
    for (const [args, code, message] of cases) {
      const result = cli(args);
      expect({ args, code: result.code, lines: result.stderr.trim().split("\n").length }).toEqual({ args, code, lines: 1 });
      expect(result.stderr).toMatch(message);
    }
    const id = createSweep(root, 1, 1);
    expect(cli(["sweep", "--cancel", id, "--dir", root]).code).toBe(0);
    const again = cli(["sweep", "--resume", id, "--dir", root]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is cancelled; it cannot become running.*\[SWEEP_STATE_INVALID\]/);
  });
});
