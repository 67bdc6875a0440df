import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { afterEach, describe, expect, it } from "vitest";
import { startBridge } from "./index.js";

// W&B members the oracle corpus cannot show (W&B offline has no server): env aliases, refusals
// raised at the next call, status/preempting, save/restore, the read Api, sys.exit codes.
const SCRIPT = fileURLToPath(new URL("../python/tests/surface_script.py", import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function python(args: string[], env: Record<string, string>, cwd: string) {
  return run(venvPython("dev"), args, { env: { ...process.env, ...env }, cwd: cwd });
}

async function bridgeIn() {
  const dir = mkdtempSync(join(tmpdir(), "runlog-surface-"));
  const bridge = await startBridge({ endpoint: `ipc://${join(dir, "bridge.sock")}`, dir: join(dir, "store"), log: () => {} });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  cleanups.push(() => bridge.close());
  return { dir, endpoint: bridge.endpoint };
}

describe("the Python client's W&B members through a real bridge", () => {
  it("reads WANDB_* aliases, raises a refused record at the next call, and serves status, save/restore and the read Api", async () => {
    const { dir, endpoint } = await bridgeIn();
    const env = {
      RUNLOG_BRIDGE: endpoint,
      WANDB_NAME: "from-env",
      WANDB_TAGS: "a,b",
      WANDB_RUN_GROUP: "g",
      WANDB_JOB_TYPE: "eval",
      WANDB_NOTES: "n",
    };
    const result = await python([SCRIPT, "surface"], env, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split("\n").at(-1) as string)).toEqual({
      name: "from-env",
      tags: ["a", "b"],
      group: "g",
      job_type: "eval",
      notes: "n",
      watch_is_callable: true,
      same: true,
      rejected: "INVALID_VALUE",
      state: "preempting",
      saved: ["notes.txt"],
      restored: "kept",
      bad_policy: "ValueError",
      after_finish: ["UsageError", "RUN_FINISHED"],
      history_columns: ["loss"],
      scan: [1.0, 0.5],
      runs: ["from-env"],
      state_after: "finished",
    });
  }, 60_000);

  it("sys.exit(3) ends the run failed with exit code 3, as W&B", async () => {
    const { dir, endpoint } = await bridgeIn();
    const result = await python([SCRIPT, "exit3"], { RUNLOG_BRIDGE: endpoint }, dir);
    expect(result.code).toBe(3);
    const { path } = JSON.parse(result.stdout.trim()) as { path: string };
    const api = new Api({ dir: join(dir, "store") });
    try {
      const run = await api.run(path);
      expect([run.state, run.exitCode]).toEqual(["failed", 3]);
    } finally {
      api.close();
    }
  }, 60_000);
});
