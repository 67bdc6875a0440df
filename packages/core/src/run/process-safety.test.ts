import type { ChildProcess } from "node:child_process";
import { describe, expect, it, vi } from "vitest";
import { Api } from "../api/api.js";
import { runFolder } from "../run/run-folder.js";
import { syncRunDir } from "../sync.js";
import { CLI_BIN, exited, loggedSteps, run as runCommand, spawnChild, watchLines } from "../test-support/child-process.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

const FLUSH_INTERVAL_MS = 200;

async function stepsOf(root: string, path: string): Promise<number[]> {
  const api = new Api({ dir: root });
  try {
    const steps: number[] = [];
    for await (const row of (await api.run(path)).scanHistory({ keys: ["i"], pageSize: 5000 })) {
      expect(row.i).toBe(row._step);
      steps.push(row._step);
    }
    return steps;
  } finally {
    api.close();
  }
}

/** Resolves once the child's "<step> <ms>" lines span `ms` of its own clock. */
function loggedFor(child: ChildProcess, ms: number): Promise<void> {
  let first: number | undefined;
  return watchLines(child, (line) => {
    const at = Number(line.split(" ")[1]);
    if (!Number.isFinite(at)) return false;
    first ??= at;
    return at - first >= ms;
  });
}

describe("crash safety (real child processes, SIGKILL)", () => {
  it("20 kills at random points: every step logged > flushInterval before the kill is recovered, the run reads crashed, resume continues", async () => {
    const root = tempRoot();
    const kills = 20;
    const results: { id: string; safeStep: number }[] = [];
    for (let n = 0; n < kills; n++) {
      const id = `crash${String(n).padStart(3, "0")}`;
      const child = spawnChild("until-killed", root, id);
      const logged = loggedSteps(child);
      const done = exited(child);
      await watchLines(child, (line) => line.startsWith("started"));
      // Kill after a seeded 150–850 ms of logging, measured on the child's own clock (its "<step> <ms>" lines).
      await loggedFor(child, 150 + ((n * 373) % 701));
      const killedAt = Date.now();
      child.kill("SIGKILL");
      expect((await done).signal).toBe("SIGKILL");
      const safe = logged.filter(([, at]) => at < killedAt - FLUSH_INTERVAL_MS).map(([step]) => step);
      results.push({ id, safeStep: safe.length > 0 ? Math.max(...safe) : -1 });
    }
    // Recover: the first two through the real CLI binary, the rest through the same code in-process.
    for (const [n, { id }] of results.entries()) {
      const runDir = runFolder(root, { entity: "tester", project: "test", id });
      if (n < 2) {
        const cli = await runCommand(process.execPath, [CLI_BIN, "sync", runDir]);
        expect(cli.code, cli.stderr).toBe(0);
        expect(cli.stdout).toMatch(/synced .* new of \d+ records/);
      } else {
        syncRunDir(runDir);
      }
      expect(syncRunDir(runDir).applied).toBe(0); // idempotent
    }
    const api = new Api({ dir: root });
    // crashTimeout is 1 s in the child: poll until every run reads crashed.
    await vi.waitFor(
      async () => {
        for (const { id } of results) expect((await api.run(`tester/test/${id}`)).state).toBe("crashed");
      },
      { timeout: 15_000, interval: 100 },
    );
    for (const { id, safeStep } of results) {
      const stored = await api.run(`tester/test/${id}`);
      expect(stored.state).toBe("crashed");
      const steps = await stepsOf(root, stored.path);
      expect(steps.length).toBe(stored.lastStep + 1); // contiguous from 0, no gaps or duplicates
      expect(steps.at(-1) ?? -1).toBe(stored.lastStep); // -1: killed before its first step reached the log
      expect(stored.lastStep).toBeGreaterThanOrEqual(safeStep);
    }
    api.close();
    // resume: "must" continues at the next step (the dead process's lock does not block it).
    for (const { id } of results.slice(0, 5)) {
      const before = (await new Api({ dir: root }).run(`tester/test/${id}`)).lastStep;
      const resumed = await initIn(root, { id, resume: "must" });
      expect(resumed.step).toBe(before + 1);
      resumed.log({ i: before + 1 });
      await resumed.finish();
      const steps = await stepsOf(root, resumed.path);
      expect(steps).toEqual(Array.from({ length: before + 2 }, (_, i) => i));
    }
  }, 180_000);

  it("resume without a prior sync replays what the crash left in the log first", async () => {
    const root = tempRoot();
    const child = spawnChild("until-killed", root, "nosync01");
    const done = exited(child);
    // Until the child's clock says step 200 is two flush intervals old.
    let at200: number | undefined;
    await watchLines(child, (line) => {
      const [step, at] = line.split(" ").map(Number);
      if (!Number.isFinite(step) || !Number.isFinite(at)) return false;
      if ((step as number) >= 200) at200 ??= at as number;
      return at200 !== undefined && (at as number) - at200 >= 2 * FLUSH_INTERVAL_MS;
    });
    child.kill("SIGKILL");
    await done;
    const resumed = await initIn(root, { id: "nosync01", resume: "allow" });
    const next = resumed.step;
    expect(next).toBeGreaterThan(200);
    resumed.log({ i: next });
    await resumed.finish();
    expect(await stepsOf(root, resumed.path)).toEqual(Array.from({ length: next + 1 }, (_, i) => i));
  }, 60_000);

  it("a live run cannot be resumed by another process", async () => {
    const root = tempRoot();
    const child = spawnChild("wait-for-signal", root, "live0001");
    const done = exited(child);
    await watchLines(child, (line) => line === "ready");
    await expect(initIn(root, { id: "live0001", resume: "allow" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
    child.kill("SIGTERM");
    await done;
  }, 60_000);
});

describe("concurrency (real child processes)", () => {
  it("8 processes log 100k points each into one root: all points are there, no busy error reaches anyone", async () => {
    const root = tempRoot();
    const ids = Array.from({ length: 8 }, (_, n) => `para${String(n).padStart(4, "0")}`);
    const results = await Promise.all(ids.map((id) => exited(spawnChild("many-points", root, id))));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/SQLITE_BUSY|locked/i);
    }
    const api = new Api({ dir: root });
    for (const id of ids) {
      const stored = await api.run(`tester/test/${id}`);
      expect(stored.state).toBe("finished");
      expect(stored.lastStep).toBe(9_999);
      for (let k = 0; k < 10; k++) {
        const series = await stored.series(`m${k}`, { buckets: 10 });
        expect(series.count.reduce((a, b) => a + b, 0)).toBe(10_000);
        expect(Math.min(...series.min)).toBe(k);
        expect(Math.max(...series.max)).toBe(99_990 + k);
      }
    }
    api.close();
  }, 180_000);
});

describe("process exit paths", () => {
  it("SIGTERM: best-effort drain, state killed, the process still ends by the signal", async () => {
    const root = tempRoot();
    const child = spawnChild("wait-for-signal", root, "sigterm1");
    const done = exited(child);
    await watchLines(child, (line) => line === "ready");
    child.kill("SIGTERM");
    expect((await done).signal).toBe("SIGTERM");
    const stored = await new Api({ dir: root }).run("tester/test/sigterm1");
    expect(stored.state).toBe("killed");
    expect(stored.exitCode).toBe(143);
    expect((await stepsOf(root, stored.path)).length).toBe(100);
  }, 60_000);

  it.each([
    ["process-exit", "finished", 0],
    ["throw", "failed", 1],
    ["forget-finish", "finished", 0],
  ])(
    "%s: nothing is lost and the run reads %s",
    async (scenario, state, code) => {
      const root = tempRoot();
      const id = `${scenario.slice(0, 6)}01`.replace("-", "x");
      const result = await exited(spawnChild(scenario, root, id));
      expect(result.code).toBe(code);
      const stored = await new Api({ dir: root }).run(`tester/test/${id}`);
      expect(stored.state).toBe(state);
      expect(await stepsOf(root, stored.path)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    },
    60_000,
  );
});
