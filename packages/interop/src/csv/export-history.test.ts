import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Api, init } from "@runlog/core";
import { venvPython } from "@runlog/test-support/python-env";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { exportHistory } from "./export-history.js";

async function loggedRun(root: string) {
  const run = await init({ dir: root, entity: "e", project: "p", id: "r1", settings: QUIET });
  for (let step = 0; step < 5; step++)
    run.log({ loss: 1 / (step + 1), note: step === 2 ? 'say "hi", then go' : undefined, ...(step % 2 === 0 ? { even: step } : {}) });
  await run.finish();
  return new Api({ dir: root }).run("e/p/r1");
}

describe("exportHistory", () => {
  it("CSV that pandas reads back with the same values, gaps as NaN", async () => {
    const root = tempRoot();
    const run = await loggedRun(root);
    const file = await exportHistory("e/p/r1", "csv", { dir: root, out: join(root, "out") });
    const script =
      "import json,sys,pandas as pd; df=pd.read_csv(sys.argv[1]); print(json.dumps(df.astype(object).where(df.notna(), None).to_dict(orient='records')))";
    const rows = JSON.parse(execFileSync(venvPython("dev"), ["-c", script, file]).toString()) as Record<string, unknown>[];
    const expected: Record<string, unknown>[] = [];
    for await (const row of run.scanHistory()) expected.push(row);
    expect(rows.map((row) => [row._step, row.loss, row.even, row._runtime])).toEqual(
      expected.map((row) => [row._step, row.loss, row.even ?? null, row._runtime]),
    );
    expect(rows[2]?.note).toBe('say "hi", then go');
  });

  it("JSON lines: one object per row, as the Api returns it", async () => {
    const root = tempRoot();
    const run = await loggedRun(root);
    const file = await exportHistory("e/p/r1", "jsonl", { dir: root, out: root, keys: ["loss"] });
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual(await run.history({ keys: ["loss"] }));
    await expect(exportHistory("e/p/r1", "xml" as "csv", { dir: root })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
