import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { afterAll, describe, expect, it } from "vitest";
import { startBridge } from "./index.js";

// The oracle corpus (python/tests/oracle): the same W&B-style cases run under the real wandb
// (offline, read back from its .wandb files with W&B's record schema) and under runlog through a
// real bridge, compared row by row, summary, config, exit code and raised exception.
const ORACLE = fileURLToPath(new URL("../python/tests/oracle/", import.meta.url));
const README = fileURLToPath(new URL("../python/README.md", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "runlog-oracle-"));
afterAll(() => rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

function python(args: string[], env: Record<string, string> = {}) {
  return run(venvPython("dev"), args, { env: { ...process.env, ...env }, cwd: work });
}

describe("the oracle: W&B-style scripts under the real wandb and under runlog", () => {
  it("gives the same history, summary, config, exit codes and exceptions, except the differences the README explains", async () => {
    const bridge = await startBridge({ endpoint: `ipc://${join(work, "bridge.sock")}`, dir: join(work, "store"), log: () => {} });
    try {
      const [wandb, runlog] = await Promise.all([
        python([join(ORACLE, "runner.py"), "wandb", join(work, "wandb.json")]),
        python([join(ORACLE, "runner.py"), "runlog", join(work, "runlog.json")], { RUNLOG_BRIDGE: bridge.endpoint }),
      ]);
      expect(wandb.code, wandb.stderr).toBe(0);
      expect(runlog.code, runlog.stderr).toBe(0);
    } finally {
      await bridge.close();
    }
    const compared = await python([join(ORACLE, "compare.py"), join(work, "wandb.json"), join(work, "runlog.json")]);
    expect(compared.code, compared.stderr).toBe(0);
    const report = JSON.parse(compared.stdout) as {
      cases: number;
      different: Record<string, string[]>;
      deliberate: Record<string, string[]>;
    };
    expect(report.cases).toBeGreaterThanOrEqual(40);
    expect(report.different).toEqual({});
    // Every deliberate difference is explained where users read it.
    const readme = readFileSync(README, "utf8");
    const deliberate = JSON.parse(readFileSync(join(ORACLE, "deliberate.json"), "utf8")) as Record<string, string>;
    for (const name of Object.keys(deliberate)) expect(readme, name).toContain(`\`${name}\``);
  }, 300_000);
});
