import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTensorboardRuns } from "../../../interop/src/test-support/tensorboard-oracle.js";

const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));

/** The CLI in a child process of its own: nothing else keeps its event loop alive. */
function cli(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, RUNLOG_ENTITY: "e" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let source: string;

describe("runlog import and export", () => {
  // One log dir for the file (tempRoot's folders are removed after every test).
  beforeAll(() => {
    source = join(mkdtempSync(join(tmpdir(), "runlog-cli-import-")), "logs");
    makeTensorboardRuns(source);
  }, 180_000);
  afterAll(() => rmSync(join(source, ".."), { recursive: true, force: true }));

  it("imports a TensorBoard log dir, and importing again adds nothing", async () => {
    const root = tempRoot();
    const first = cli(["import", "tensorboard", source, "--dir", root, "--project", "tb", "--json"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { runs: { id: string; applied: number }[] };
    expect(report.runs.map((run) => run.id).sort()).toEqual(["nested-tbx", "torch"]);
    expect(report.runs.every((run) => run.applied > 0)).toBe(true);
    const runs = await new Api({ dir: root }).runs("e/tb");
    expect(runs.map((run) => run.id).sort()).toEqual(["nested-tbx", "torch"]);
    const again = cli(["import", "tensorboard", source, "--dir", root, "--project", "tb"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("e/tb/torch: already imported");

    const exported = cli(["export", "e/tb/nested-tbx", "--format", "jsonl", "--dir", root, "--out", join(root, "out"), "--keys", "acc"]);
    expect(exported.code).toBe(0);
    const lines = readFileSync(exported.stdout.trim(), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((row) => [row._step, row.acc])).toEqual([
      [0, 0],
      [10, expect.closeTo(1 / 3, 6)],
      [20, expect.closeTo(2 / 3, 6)],
    ]);
    const missing = cli(["export", "e/tb/nope", "--format", "csv", "--dir", root]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("[RUN_NOT_FOUND]");
  });

  it("a damaged file exits 1 naming the file, byte offset and code; bad usage exits 2", () => {
    const root = tempRoot();
    const name = readdirSync(join(source, "nested", "tbx")).find((file) => file.startsWith("events.")) as string;
    const bytes = readFileSync(join(source, "nested", "tbx", name));
    const at = bytes.lastIndexOf(Buffer.from("acc"));
    bytes[at] = (bytes[at] as number) ^ 0xff;
    const damaged = join(tempRoot(), name);
    writeFileSync(damaged, bytes);
    const failed = cli(["import", "tensorboard", damaged, "--dir", root]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`${damaged.replace(/[.]/g, "\\.")} is damaged at byte \\d+.*\\[SOURCE_CORRUPT\\]`));
    const usage = cli(["import", "mystery", source]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("wandb or tensorboard or mlflow");
  });

  it("runlog import mlflow: a .db file that is not SQLite exits 1 naming it and the code, importing nothing", () => {
    const root = tempRoot();
    const garbage = join(tempRoot(), "mlflow.db");
    writeFileSync(garbage, Buffer.alloc(4096, 7));
    const failed = cli(["import", "mlflow", `sqlite:///${garbage}`, "--dir", root]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${garbage} is damaged`);
    expect(failed.stderr).toContain("[SOURCE_CORRUPT]");
    expect(readdirSync(root)).toEqual([]);
  });
});
