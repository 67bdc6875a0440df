import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { OnlineSweepBackend } from "@runlog/core/store-kit";
import { exited, finished, onLines } from "@runlog/test-support/child-process";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startPostgres, type TestPostgres } from "../../server/src/dev/local-postgres.js";

// Two "hosts" (each its own RUNLOG_DIR) running `runlog agent` processes against one
// `runlog server` on PostgreSQL: the team server is the only thing they share.
const BIN = fileURLToPath(new URL("../bin/runlog.js", import.meta.url));
const PROGRAM = fileURLToPath(new URL("./test-support/sweep-trial.mjs", import.meta.url));
// Heartbeats every second (leases of 3 s): short enough to wait out a killed agent, long enough
// that a live agent's heartbeat through the server is never late on a loaded machine (a late one
// would be taken for dead and its trial handed out again).
const FAST = { RUNLOG_AGENT_HEARTBEAT_SECONDS: "1", RUNLOG_AGENT_STOP_GRACE_SECONDS: "0.5" };
const WHERE = { entity: "lab", project: "tune" };

let postgres: TestPostgres;
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
  const store = await postgres.createDatabase("two_hosts");
  server = spawn(process.execPath, [BIN, "server", "--store", store, "--port", "0", "--dir", tempRoot()], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  url = await new Promise<string>((resolve, reject) => {
    onLines(server, (line) => {
      const found = /dashboard at (http:\/\/[^/\s]+)\//.exec(line);
      if (found) resolve(found[1] as string);
    });
    server.on("exit", (code) => reject(new Error(`runlog server exited (${code}) before listening`)));
  });
}, 120_000);
afterAll(async () => {
  if (server?.exitCode === null) {
    server.kill("SIGTERM");
    await exited(server);
  }
  await postgres?.stop();
});

const online = (root: string) => ({ ...process.env, ...FAST, RUNLOG_MODE: "online", RUNLOG_BASE_URL: url, RUNLOG_DIR: root });

function cli(root: string, args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: online(root) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function agentOn(root: string, id: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): ChildProcess {
  // Its own process group, so kill -9 takes the agent and its trial together (a host dying).
  return spawn(process.execPath, [BIN, "agent", id, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...online(root), ...env },
    detached: true,
  });
}

function createSweep(root: string, a: number, b: number): string {
  const file = join(root, `sweep-${a}x${b}.json`);
  const values = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));
  writeFileSync(
    file,
    JSON.stringify({
      method: "grid",
      program: PROGRAM,
      parameters: { a: { values: values(a, (i) => i) }, b: { values: values(b, (i) => `b${i}`) } },
    }),
  );
  const created = cli(root, ["sweep", file, "--entity", WHERE.entity, "--project", WHERE.project]);
  expect([created.code, created.stderr]).toEqual([0, expect.stringMatching(/created sweep/)]);
  return created.stdout.trim();
}

function firstLine(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    onLines(child, (line) => line.startsWith(prefix) && resolve(line.slice(prefix.length)));
    child.on("exit", () => reject(new Error(`the agent exited before printing "${prefix}"`)));
  });
}

const serverTrials = (id: string) => new OnlineSweepBackend(url, undefined).listTrials({ ...WHERE, id });

describe("sweeps across two hosts through a runlog server on PostgreSQL", () => {
  it("4 + 4 agents run a 48-point grid, each point once, through kill -9 of agents mid-trial", { timeout: 400_000 }, async () => {
    const hosts = { a: tempRoot(), b: tempRoot() };
    const id = createSweep(hosts.a, 6, 8);
    // Host A's first agent dies after its trial's run started; host B's before its run began.
    const started = agentOn(hosts.a, id, { TRIAL_MODE: "hold" }, ["--count", "1"]);
    const startedRun = await firstLine(started, "started ");
    const holding = agentOn(hosts.b, id, { TRIAL_MODE: "hold-before-init" }, ["--count", "1"]);
    const heldRun = await firstLine(holding, "holding ");
    for (const child of [started, holding]) process.kill(-(child.pid as number), "SIGKILL");
    // Their leases run out with no heartbeat; the server keeps their trials' state meanwhile.
    await vi.waitFor(
      async () => {
        const now = Date.now() / 1000;
        expect((await serverTrials(id)).every((t) => t.leaseUntil < now)).toBe(true);
      },
      { timeout: 30_000, interval: 200 },
    );

    const agents = [hosts.a, hosts.a, hosts.a, hosts.a, hosts.b, hosts.b, hosts.b, hosts.b].map((root) =>
      finished(agentOn(root, id), 350_000),
    );
    const results = await Promise.all(agents);
    expect(results.map((r) => (r.code === 0 ? 0 : r.stderr.slice(-2000)))).toEqual(Array(8).fill(0));
    // Both hosts did work.
    expect(results.slice(0, 4).some((r) => /trial /.test(r.stderr))).toBe(true);
    expect(results.slice(4).some((r) => /trial /.test(r.stderr))).toBe(true);

    const trials = await serverTrials(id);
    expect(trials).toHaveLength(48);
    expect(new Set(trials.map((t) => `${t.params.a}/${t.params.b}`)).size).toBe(48);
    const states = Object.fromEntries(trials.map((t) => [t.runId, t.state]));
    // W&B's rule: the run that started keeps its point (crashed); the one that never began ran again, same run id.
    expect(states[startedRun]).toBe("crashed");
    expect(states[heldRun]).toBe("finished");
    expect(trials.filter((t) => t.state === "finished")).toHaveLength(47);

    const api = new Api({ baseUrl: url });
    try {
      const runs = await api.runs(`${WHERE.entity}/${WHERE.project}`);
      const ofSweep = runs.filter((run) => run.sweepId === id);
      expect(ofSweep).toHaveLength(48);
      expect(new Set(ofSweep.map((run) => `${run.config.a}/${run.config.b}`)).size).toBe(48);
      expect(ofSweep.filter((run) => run.state === "finished")).toHaveLength(47);
      // Each run's config is its trial's point.
      const byRun = new Map(trials.map((t) => [t.runId, `${t.params.a}/${t.params.b}`]));
      expect(ofSweep.every((run) => byRun.get(run.id) === `${run.config.a}/${run.config.b}`)).toBe(true);
    } finally {
      api.close();
    }
    expect((await new OnlineSweepBackend(url, undefined).getSweep({ ...WHERE, id }))?.state).toBe("finished");
  });

  it("a paused sweep hands out nothing to either host; resumed from the other host, the waiting agent runs", {
    timeout: 90_000,
  }, async () => {
    const hosts = { a: tempRoot(), b: tempRoot() };
    const id = createSweep(hosts.a, 2, 1);
    expect(cli(hosts.a, ["sweep", "--pause", id]).code).toBe(0);
    const waiting = agentOn(hosts.b, id, {}, ["--count", "1"]);
    const done = finished(waiting, 80_000);
    let stderr = "";
    waiting.stderr?.on("data", (chunk) => (stderr += chunk));
    await vi.waitFor(() => expect(stderr).toMatch(/is paused; waiting/), { timeout: 30_000, interval: 50 });
    expect(await serverTrials(id)).toEqual([]);
    expect(cli(hosts.a, ["sweep", "--resume", id]).stderr).toMatch(/is running/);
    expect((await done).code).toBe(0);
    expect((await serverTrials(id)).map((t) => t.state)).toEqual(["finished"]);
  });

  it("bad configs sent to the server's route get one clear error each", async () => {
    const bad: [unknown, RegExp][] = [
      [{ method: "grid", parameters: { a: { values: [1] } }, colour: "blue" }, /colour/],
      [{ method: "random", parameters: { lr: { min: 1, max: 0.1 } } }, /lr/],
      [{ method: "grid", parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } }, /lr/],
      [{ method: "bayes", parameters: { lr: { min: 0, max: 1 } } }, /metric/],
    ];
    for (const [config, names] of bad) {
      const answer = await fetch(`${url}/api/v1/projects/lab/tune/sweeps`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ config }),
      });
      const body = (await answer.json()) as { code: string; message: string };
      expect([answer.status, body.code]).toEqual([400, "SWEEP_CONFIG_INVALID"]);
      expect(body.message).toMatch(names);
    }
  });
});
