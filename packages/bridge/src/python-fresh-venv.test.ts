import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { run } from "@runlog/test-support/child-process";
import { afterAll, describe, expect, it } from "vitest";
import { startBridge } from "./index.js";

// `pip install packages/bridge/python` into a bare virtualenv (python -m venv, nothing else: pip
// takes setuptools, pyzmq and msgpack from its cache or PyPI), then W&B's quickstart changed only to
// `import runlog as wandb` runs with that venv's python, outside the repository, and logs correctly.
const PACKAGE = fileURLToPath(new URL("../python/", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../python/tests/examples/quickstart.py", import.meta.url));
const PYTHON = process.env.RUNLOG_SETUP_PYTHON || "python3";
const work = mkdtempSync(join(tmpdir(), "runlog-fresh-venv-"));
afterAll(() => rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

describe("the Python client in a fresh virtualenv", () => {
  it("pip-installs by itself and runs W&B's quickstart with only the import changed", async () => {
    const venv = join(work, "venv");
    const made = await run(PYTHON, ["-m", "venv", venv], { env: { ...process.env }, cwd: work });
    expect(made.code, made.stderr).toBe(0);
    // A copy of the package: pip's in-tree build must not leave build/ or egg-info in the repository.
    const source = join(work, "source");
    cpSync(PACKAGE, source, { recursive: true, filter: (path) => !/(__pycache__|\.egg-info|[/\\]build)$/.test(path) });
    const pip = await run(join(venv, "bin", "python"), ["-m", "pip", "install", "--disable-pip-version-check", "-q", source], {
      env: { ...process.env, PIP_NO_INPUT: "1" },
      cwd: work,
    });
    expect(pip.code, pip.stdout + pip.stderr).toBe(0);
    const listed = await run(join(venv, "bin", "python"), ["-m", "pip", "list", "--format", "json"], {
      env: { ...process.env },
      cwd: work,
    });
    const installed = (JSON.parse(listed.stdout) as { name: string; version: string }[]).map((p) => p.name.toLowerCase()).sort();
    expect(installed.filter((name) => name !== "pip" && name !== "setuptools")).toEqual(["msgpack", "pyzmq", "runlog"]);

    const bridge = await startBridge({ endpoint: `ipc://${join(work, "bridge.sock")}`, dir: join(work, "store"), log: () => {} });
    try {
      const script = await run(join(venv, "bin", "python"), [EXAMPLE], {
        // Nothing of the repository on the path: the installed package is what runs.
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? work, RUNLOG_BRIDGE: bridge.endpoint, EXAMPLE_SEED: "7" },
        cwd: work,
      });
      expect(script.code, script.stderr).toBe(0);
    } finally {
      await bridge.close();
    }
    const api = new Api({ dir: join(work, "store") });
    try {
      const [stored] = await api.runs("my-awesome-team-name/my-awesome-project");
      expect(stored?.state).toBe("finished");
      expect(stored?.config).toEqual({ learning_rate: 0.02, architecture: "CNN", dataset: "CIFAR-100", epochs: 10 });
      const rows = [];
      for await (const row of (await api.run(stored?.path ?? "")).scanHistory()) rows.push(row);
      expect(rows.map((r) => r._step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(rows.every((r) => typeof r.acc === "number" && typeof r.loss === "number" && (r.loss as number) > 0)).toBe(true);
      expect(stored?.summary.acc).toBe(rows.at(-1)?.acc);
    } finally {
      api.close();
    }
  }, 600_000);
});
