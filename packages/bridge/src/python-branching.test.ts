import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { afterAll, describe, expect, it } from "vitest";
import { startBridge } from "./index.js";

// resume_from / fork_from from Python, against the store (W&B offline cannot rewind or fork, so the
// oracle corpus only covers the malformed values W&B refuses in the client).
const SCRIPT = fileURLToPath(new URL("../python/tests/branching_script.py", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "runlog-branching-"));
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ _step: i, i, loss: 10 - i }));

describe("resume_from and fork_from from the Python client", () => {
  it("rewinds history to step N and forks at step N, the steps going on from N + 1; bad values raise as W&B raises them", async () => {
    const bridge = await startBridge({ endpoint: `ipc://${join(dir, "bridge.sock")}`, dir: join(dir, "store"), log: () => {} });
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(venvPython("dev"), [SCRIPT], { env: { ...process.env, RUNLOG_BRIDGE: bridge.endpoint }, cwd: dir });
    } finally {
      await bridge.close();
    }
    expect(result.code, result.stderr).toBe(0);
    const seen = JSON.parse(result.stdout.trim().split("\n").at(-1) as string);
    expect(seen.rewound).toEqual({
      id: "source",
      step: 4,
      starting_step: 4,
      resumed: true,
      step_after_log: 5,
      // Steps 4 and 5 of the first pass are gone; the summary is the new history's; config kept and merged.
      stored: { rows: [...rows(4), { _step: 4, i: 100, loss: 0.5 }], summary: { i: 100, loss: 0.5 }, config: { lr: 0.1, wd: 0.5 } },
    });
    expect(seen.fork).toEqual({
      same_id: false,
      step: 3,
      starting_step: 3,
      stored: {
        rows: [...rows(3), { _step: 3, loss: 7.5 }, { _step: 4, loss: 7 }],
        summary: { i: 2, loss: 7 },
        config: { lr: 0.1, wd: 0.5 },
      },
    });
    expect(seen.source_after_fork).toEqual([0, 1, 2, 3, 4]);
    const client = ["ValidationError", "INVALID_ARGUMENT", true]; // a ValueError, as W&B's pydantic ValidationError
    expect(seen.errors).toEqual({
      malformed: client,
      metric: client,
      both: client,
      fork_same_id: client,
      rewind_other_id: client,
      rewind_missing: ["BridgeError", "RUN_NOT_FOUND", false],
      fork_missing: ["BridgeError", "RUN_NOT_FOUND", false],
      rewind_past_end: ["BridgeError", "INVALID_ARGUMENT", false],
      fork_fraction: ["BridgeError", "INVALID_ARGUMENT", false],
    });
  }, 60_000);
});
