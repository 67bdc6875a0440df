import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Histogram, init } from "@runlog/core";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { readWithPyarrow } from "../../../interop/src/test-support/parquet-reader.js";
import { readExportWithTensorboard } from "../../../interop/src/test-support/tensorboard-oracle.js";

const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));

/** The CLI in a child process of its own: nothing else keeps its event loop alive. */
function cli(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, RUNLOG_ENTITY: "e" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, files: result.stdout.trim().split("\n").filter(Boolean) };
}

/** Project e/p: run a (3 steps of loss, a flag) and run b (2 steps of loss and a histogram; config). */
async function project(root: string) {
  const a = await init({ dir: root, entity: "e", project: "p", id: "a", settings: QUIET });
  for (let step = 0; step < 3; step++) a.log({ loss: step / 2, ...(step === 1 ? { flag: true } : {}) });
  await a.finish();
  const b = await init({ dir: root, entity: "e", project: "p", id: "b", config: { lr: 0.1 }, settings: QUIET });
  for (let step = 0; step < 2; step++) b.log({ loss: 1 + step, weights: new Histogram({ values: [1, step], bins: [0, 1, 2] }) });
  await b.finish();
}

describe("runlog export", () => {
  it("a project in every format, --out, --keys, --layout and --summary", async () => {
    const root = tempRoot();
    await project(root);
    const out = join(root, "out");
    const parquet = cli(["export", "e/p", "--format", "parquet", "--dir", root, "--out", out]);
    expect([parquet.code, parquet.stderr, parquet.files]).toEqual([0, "", [join(out, "p.parquet")]]);
    const wide = readWithPyarrow(join(out, "p.parquet"));
    expect([wide.columns.run_id, wide.columns.loss]).toEqual([
      ["a", "a", "a", "b", "b"],
      [0, 0.5, 1, 1, 2],
    ]);
    const long = cli(["export", "e/p/a", "--format", "parquet", "--layout", "long", "--keys", "loss", "--dir", root, "--out", out]);
    expect(long.files).toEqual([join(out, "a.parquet")]);
    expect(readWithPyarrow(join(out, "a.parquet")).columns.key).toEqual(["loss", "loss", "loss"]);

    for (const format of ["csv", "jsonl"]) {
      const text = cli(["export", "e/p", "--format", format, "--dir", root, "--out", out, "--keys", "loss"]);
      expect([text.code, text.files]).toEqual([0, [join(out, `a.${format}`), join(out, `b.${format}`)]]);
    }
    expect(readFileSync(join(out, "b.csv"), "utf8").split("\n")[0]).toBe("_step,loss");

    const tfevents = cli(["export", "e/p", "--format", "tfevents", "--dir", root, "--out", join(out, "tb")]);
    expect(tfevents.code).toBe(0);
    expect(tfevents.files.map((file) => file.slice(join(out, "tb").length + 1).split("/")[0])).toEqual(["a", "b"]);
    expect(tfevents.stderr).toContain("left out 1 boolean values");
    expect(readExportWithTensorboard(join(out, "tb", "b")).histograms.weights).toHaveLength(2);

    const summary = cli(["export", "e/p", "--summary", "--format", "csv", "--dir", root, "--out", out]);
    expect(summary.files).toEqual([join(out, "p-summary.csv")]);
    expect(readFileSync(join(out, "p-summary.csv"), "utf8").split("\n")[0]).toBe(
      "id,name,state,group,tags,created_at,heartbeat_at,config.lr,summary._runtime,summary._step,summary._timestamp,summary.flag,summary.loss,summary.weights",
    );
    const table = cli(["export", "e/p", "--summary", "--format", "parquet", "--dir", root, "--out", out]);
    expect(readWithPyarrow(table.files[0] as string).columns.id).toEqual(["a", "b"]);
  });

  it("bad usage exits 2; a bad path, out folder or option mix exits 1 with its RunlogError code", async () => {
    const root = tempRoot();
    await project(root);
    const usage = cli(["export", "e/p", "--format", "xlsx", "--dir", root]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("parquet, csv, jsonl, tfevents");
    expect(cli(["export", "e/p", "--format", "parquet", "--layout", "tall", "--dir", root]).code).toBe(2);
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    const notAFolder = cli(["export", "e/p", "--format", "parquet", "--dir", root, "--out", file]);
    expect(notAFolder.code).toBe(1);
    expect(notAFolder.stderr).toContain("[EXPORT_FAILED]");
    expect(notAFolder.stderr).toContain(file);
    for (const args of [
      ["e/p/a", "--summary", "--format", "csv"],
      ["e/p", "--summary", "--format", "tfevents"],
      ["e/p", "--format", "csv", "--layout", "long"],
      ["e/p/a/x", "--format", "csv"],
    ]) {
      const failed = cli(["export", ...args, "--dir", root, "--out", join(root, "out")]);
      expect([failed.code, failed.stderr], args.join(" ")).toEqual([1, expect.stringContaining("[INVALID_ARGUMENT]")]);
    }
    const missing = cli(["export", "e/none", "--format", "parquet", "--dir", root]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("[RUN_NOT_FOUND]")]);
  });
});
