import { fileURLToPath } from "node:url";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { describe, expect, it } from "vitest";

// The seed-member audit (python/tests/test_seed_audit.py) against the real wandb in the project's .venv.
const TESTS = fileURLToPath(new URL("../python/tests/", import.meta.url));

describe("the Python client has every W&B member the seed and issue 17 name", () => {
  it("with W&B's parameter names, in W&B's order", async () => {
    const result = await run(venvPython("dev"), ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_seed_audit.py"], {
      env: { ...process.env },
      cwd: TESTS,
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/4 passed/);
  }, 120_000);
});
