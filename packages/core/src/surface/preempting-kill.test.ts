import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { exited } from "../test-support/child-process.js";
import { tempRoot } from "../test-support/temp-root.js";

const CHILD = fileURLToPath(new URL("../test-support/children/preempt-child.mjs", import.meta.url));

async function read(root: string, path: string): Promise<{ state: string; heartbeatAge: number } | undefined> {
  const api = new Api({ dir: root });
  try {
    const run = (await api.runs("tester/test")).find((candidate) => candidate.path === path);
    return run === undefined ? undefined : { state: run.state, heartbeatAge: Date.now() / 1000 - run.heartbeatAt };
  } finally {
    api.close();
  }
}

async function stateOf(root: string, path: string): Promise<string | undefined> {
  return (await read(root, path))?.state;
}

describe("markPreempting under SIGKILL", () => {
  it("a killed preempting run stays preempting past the crash timeout that marks its control crashed", async () => {
    const root = tempRoot();
    // One store, two children with crashTimeout 1 s: one preempting, one control.
    const children = (["preempt", "control"] as const).map((kind) => {
      const child = spawn(process.execPath, [CHILD, root, kind === "preempt" ? "preempt1" : "control1", kind], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const ready = new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.includes("ready") && resolve()));
      return { child, ready, exit: exited(child) };
    });
    await Promise.all(children.map((c) => c.ready));
    const preempting = "tester/test/preempt1";
    const control = "tester/test/control1";
    // The store has the mark (and the control's row) before the kill.
    await expect.poll(() => stateOf(root, preempting), { timeout: 15_000, interval: 50 }).toBe("preempting");
    await expect.poll(() => stateOf(root, control), { timeout: 15_000, interval: 50 }).toBe("running");

    // A reader kept open across the whole wait must age the run too (its run cache must not freeze the state).
    const live = new Api({ dir: root });
    const liveState = async () => (await live.runs("tester/test")).find((run) => run.path === preempting)?.state;
    expect(await liveState()).toBe("preempting");

    for (const { child } of children) child.kill("SIGKILL");
    for (const { exit } of children) expect((await exit).signal).toBe("SIGKILL");

    // The control is crashed once its heartbeat is 1 s old; the preempting run gets 4×.
    await expect.poll(() => stateOf(root, control), { timeout: 15_000, interval: 50 }).toBe("crashed");
    // Once the preempting run's own heartbeat is twice the crash timeout old, it still reads preempting.
    await expect.poll(async () => (await read(root, preempting))?.heartbeatAge, { timeout: 15_000, interval: 50 }).toBeGreaterThan(2);
    expect(await stateOf(root, preempting)).toBe("preempting");
    // Lenient, not immortal: it reads crashed once the longer limit passes too.
    await expect.poll(() => stateOf(root, preempting), { timeout: 20_000, interval: 100 }).toBe("crashed");
    try {
      expect(await liveState()).toBe("crashed");
    } finally {
      live.close();
    }
  });
});
