import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "@runlog/test-support/child-process";
import { venvPython } from "@runlog/test-support/python-env";
import { afterAll, describe, expect, it } from "vitest";
import { type Case, type CaseResult, playCase, RAISED } from "./test-support/ts-oracle-driver.js";

// The oracle's JSON corpus played on the TypeScript Run (local mode, a real store) and compared with
// the real wandb (offline, read back from its .wandb files) by the Python comparison, compare.py,
// with the same deliberate-difference list.
const ORACLE = fileURLToPath(new URL("../python/tests/oracle/", import.meta.url));
const README = fileURLToPath(new URL("../python/README.md", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "runlog-ts-oracle-"));
afterAll(() => rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));

const python = (args: string[]) => run(venvPython("dev"), args, { env: process.env, cwd: work });

describe("the oracle corpus on the TypeScript Run", () => {
  it("gives W&B's history, summary, config, exit codes and raised calls, except the differences the README explains", async () => {
    const cases = (JSON.parse(readFileSync(join(ORACLE, "cases.json"), "utf8")) as { cases: Case[] }).cases;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const wandbRun = python([join(ORACLE, "runner.py"), "wandb", join(work, "wandb-raw.json"), ...cases.map((c) => c.name)]);
    const ts: Record<string, CaseResult> = {};
    for (const { name, ops } of cases) ts[name] = await playCase(ops, mkdtempSync(join(work, `${name}-`)));
    writeFileSync(join(work, "ts.json"), JSON.stringify(ts));
    const wandbDone = await wandbRun;
    expect(wandbDone.code, wandbDone.stderr).toBe(0);
    // A raised call is compared by whether it raised: W&B's side names a Python class, ours a RunlogError code.
    const wandb = JSON.parse(readFileSync(join(work, "wandb-raw.json"), "utf8")) as Record<string, CaseResult>;
    for (const result of Object.values(wandb)) result.outcomes = result.outcomes.map((o) => (typeof o === "string" ? RAISED : o));
    writeFileSync(join(work, "wandb.json"), JSON.stringify(wandb));

    const compared = await python([join(ORACLE, "compare.py"), join(work, "wandb.json"), join(work, "ts.json")]);
    expect(compared.code, compared.stderr).toBe(0);
    const report = JSON.parse(compared.stdout) as { different: Record<string, string[]>; deliberate: Record<string, string[]> };
    const names = new Set(cases.map((c) => c.name));
    // deliberate.json also names Python-only cases (py_cases.py), which this driver does not play.
    const different = Object.fromEntries(Object.entries(report.different).filter(([name]) => names.has(name)));
    expect(different).toEqual({});
    const readme = readFileSync(README, "utf8");
    for (const name of Object.keys(report.deliberate)) expect(readme, name).toContain(`\`${name}\``);
  }, 300_000);
});
