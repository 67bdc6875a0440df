import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import type { HistoryRow } from "../api/api-run.js";
import { readTransactionLog } from "../pipeline/transaction-log.js";
import { syncRunDir } from "../sync.js";
import { CLI_BIN, finished, onLines, SHARED_WRITER_SCRIPT, spawnScript, watchLines } from "../test-support/child-process.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { runFolder } from "./run-folder.js";

// Shared mode (issue 21): several processes write one run, each with its own label, log and _step.

const PROJECT = { entity: "tester", project: "shared" } as const;

function writer(root: string, id: string, label: string, primary: boolean, steps: string) {
  return spawnScript(SHARED_WRITER_SCRIPT, [root, id, label, primary ? "1" : "0", steps]);
}

async function rowsOf(root: string, id: string): Promise<(HistoryRow & { _label: string })[]> {
  const api = new Api({ dir: root });
  try {
    const run = await api.run(`tester/shared/${id}`);
    const rows: (HistoryRow & { _label: string })[] = [];
    for await (const row of run.scanHistory({ keys: ["loss", "i"], pageSize: 10_000 })) rows.push(row as HistoryRow & { _label: string });
    return rows;
  } finally {
    api.close();
  }
}

/** The rows of `label` are exactly steps 0..n-1 with that writer's values, in order. */
function expectExactSeries(rows: readonly (HistoryRow & { _label: string })[], label: string, n: number): void {
  const rank = Number(label.replace(/\D/g, ""));
  const mine = rows.filter((row) => row._label === label);
  expect(mine.length).toBe(n);
  let wrong = 0;
  mine.forEach((row, i) => {
    if (row._step !== i || row.i !== i || row.loss !== rank * 1_000_000 + i) wrong++;
  });
  expect(wrong).toBe(0);
}

/** The highest history step a writer's log holds (what a sync can bring into the store). */
function lastLoggedStep(runDir: string, label: string): number {
  let last = -1;
  for (const file of readdirSync(runDir).filter((name) => name.endsWith(`-${label}.rlog`))) {
    readTransactionLog(join(runDir, file), (records) => {
      for (const record of records)
        if (record.kind === "history" && record.header.stream === "history") last = Math.max(last, record.header.lastStep);
    });
  }
  return last;
}

describe("shared mode: many processes, one run", () => {
  it("init validates shared mode: an explicit id, a safe label, no resume options; label without shared mode is refused", async () => {
    const root = tempRoot();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ mode: "shared", label: "rank_0" }, /explicit id/],
      [{ mode: "shared", id: "sh000001" }, /needs a label/],
      [{ mode: "shared", id: "sh000001", label: "../up" }, /needs a label/],
      [{ mode: "shared", id: "sh000001", label: "" }, /needs a label/],
      [{ mode: "shared", id: "sh000001", label: 7 }, /needs a label/],
      [{ mode: "shared", id: "sh000001", label: "r", primary: "yes" }, /primary must be a boolean/],
      [{ mode: "shared", id: "sh000001", label: "r", resume: "allow" }, /do not apply/],
      [{ id: "sh000001", label: "r" }, /belong to mode "shared"/],
      [{ id: "sh000001", primary: true }, /belong to mode "shared"/],
    ];
    for (const [options, message] of cases) {
      await expect(initIn(root, { ...PROJECT, ...options })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
        message: expect.stringMatching(message),
      });
    }
  });

  it("two live writers with one label are refused (WRITER_LABEL_TAKEN); ordinary and shared writers never share a run", async () => {
    const root = tempRoot();
    const first = await initIn(root, { ...PROJECT, id: "sh000002", mode: "shared", label: "rank_0", primary: true });
    await expect(initIn(root, { ...PROJECT, id: "sh000002", mode: "shared", label: "rank_0" })).rejects.toMatchObject({
      code: "WRITER_LABEL_TAKEN",
    });
    // An ordinary run cannot join while a shared writer is live, nor continue the shared run after it.
    await expect(initIn(root, { ...PROJECT, id: "sh000002", resume: "allow" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
    const second = await initIn(root, { ...PROJECT, id: "sh000002", mode: "shared", label: "rank_1" });
    first.log({ a: 1 });
    second.log({ a: 2 });
    await second.finish();
    await first.finish();
    await expect(initIn(root, { ...PROJECT, id: "sh000002", resume: "allow" })).rejects.toMatchObject({
      code: "RESUME_CONFLICT",
      message: expect.stringMatching(/written in shared mode/),
    });
    // An ordinary run keeps exactly one writer, and shared writers cannot join it either.
    const ordinary = await initIn(root, { ...PROJECT, id: "plain001" });
    await expect(initIn(root, { ...PROJECT, id: "plain001", resume: "allow" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
    await expect(initIn(root, { ...PROJECT, id: "plain001", mode: "shared", label: "rank_1" })).rejects.toMatchObject({
      code: "RESUME_CONFLICT",
      message: expect.stringMatching(/ordinary/),
    });
    await ordinary.finish();
  });

  it("config and summary: the primary's wins, other writers add the keys they set; a writer that comes back continues its own _step", async () => {
    const root = tempRoot();
    const primary = await initIn(root, {
      ...PROJECT,
      id: "sh000003",
      mode: "shared",
      label: "main",
      primary: true,
      config: { lr: 0.1, world: 2 },
    });
    const other = await initIn(root, { ...PROJECT, id: "sh000003", mode: "shared", label: "aux", config: { lr: 9, seed: 7 } });
    other.log({ loss: 5, only_aux: 1 });
    other.log({ loss: 4 });
    primary.log({ loss: 1 });
    await other.finish();
    primary.summary.set("best", 0.5);
    await primary.finish();
    const again = await initIn(root, { ...PROJECT, id: "sh000003", mode: "shared", label: "aux" });
    expect(again.step).toBe(2); // aux logged steps 0 and 1; its _step is its own
    again.log({ loss: 3 });
    await again.finish();
    const api = new Api({ dir: root });
    const run = await api.run("tester/shared/sh000003");
    expect(run.config).toEqual({ lr: 0.1, world: 2, seed: 7 });
    expect(run.summary).toMatchObject({ loss: 1, best: 0.5, only_aux: 1 });
    expect(run.state).toBe("finished");
    const rows = await run.history({ keys: ["loss"] });
    expect(rows.map((row) => [row._label, row._step, row.loss])).toEqual([
      ["aux", 0, 5],
      ["main", 0, 1],
      ["aux", 1, 4],
      ["aux", 2, 3],
    ]);
    expect((await (await run.writer("aux")).history({ keys: ["loss"] })).map((row) => row.loss)).toEqual([5, 4, 3]);
    await expect(run.writer("nobody")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    expect((await run.historyKeys()).filter((key) => !key.startsWith("_"))).toEqual(["loss", "only_aux"]);
    expect((await (await run.writer("main")).historyKeys()).filter((key) => !key.startsWith("_"))).toEqual(["loss"]);
    const agg = await run.writerAggregate("loss");
    expect(agg).toEqual({ steps: [0, 1, 2], mean: [3, 4, 3], min: [1, 4, 3], max: [5, 4, 3], count: [2, 1, 1] });
    const dir = runFolder(root, { ...PROJECT, id: "sh000003" });
    expect(
      readdirSync(dir)
        .filter((name) => name.endsWith(".rlog"))
        .sort(),
    ).toEqual(["attempt-0000-aux.rlog", "attempt-0000-main.rlog", "attempt-0001-aux.rlog"]);
    api.close();
  });

  it("4 processes × 50,000 steps into one run: nothing lost or duplicated, each writer's series exact", async () => {
    const root = tempRoot();
    const labels = ["rank_0", "rank_1", "rank_2", "rank_3"];
    const children = labels.map((label, n) => writer(root, "sh000004", label, n === 0, "50000"));
    const outcomes = await Promise.all(children.map((child) => finished(child, 240_000)));
    expect(outcomes.map((o) => [o.code, o.stdout.trim().split("\n").at(-1)])).toEqual(labels.map(() => [0, "done"]));
    const rows = await rowsOf(root, "sh000004");
    expect(rows.length).toBe(200_000);
    for (const label of labels) expectExactSeries(rows, label, 50_000);
    const api = new Api({ dir: root });
    const run = await api.run("tester/shared/sh000004");
    expect(run.state).toBe("finished");
    expect((await run.writers()).map((w) => [w.label, w.primary, w.state, w.lastStep])).toEqual(
      labels.map((label, n) => [label, n === 0, "finished", 49_999]),
    );
    expect(run.config).toEqual({ world: 4, lr_rank_0: 0, lr_rank_1: 1, lr_rank_2: 2, lr_rank_3: 3 });
    api.close();
  }, 300_000);

  it("kill -9 of a non-primary mid-run, then the primary finishes: run finished, the writer crashed with its rows so far; `runlog sync` of its log applies exactly once", async () => {
    const root = tempRoot();
    const primary = writer(root, "sh000005", "rank_0", true, "1000+wait");
    const primaryDone = finished(primary, 120_000);
    await watchLines(primary, (line) => line === "logged");
    const victim = writer(root, "sh000005", "rank_1", false, "forever");
    const victimDone = finished(victim, 120_000);
    let count = 0;
    onLines(victim, (line) => {
      if (/^\d+$/.test(line)) count = Number(line);
    });
    await watchLines(victim, () => count >= 20_000);
    victim.kill("SIGKILL");
    expect((await victimDone).signal).toBe("SIGKILL");
    primary.stdin?.end();
    expect((await primaryDone).code).toBe(0);

    const api = new Api({ dir: root });
    const run = await api.run("tester/shared/sh000005");
    expect(run.state).toBe("finished");
    expect((await run.writers()).map((w) => [w.label, w.state])).toEqual([
      ["rank_0", "finished"],
      ["rank_1", "crashed"],
    ]);
    const before = await rowsOf(root, "sh000005");
    expectExactSeries(before, "rank_0", 1000);
    const stored = before.filter((row) => row._label === "rank_1").length;
    expectExactSeries(before, "rank_1", stored); // a prefix: its rows up to the last batch the store applied

    const runDir = runFolder(root, { ...PROJECT, id: "sh000005" });
    const logged = lastLoggedStep(runDir, "rank_1") + 1;
    expect(logged).toBeGreaterThanOrEqual(stored);
    const cli = spawnSync(process.execPath, [CLI_BIN, "sync", runDir, "--json"], { encoding: "utf8" });
    expect(cli.status, cli.stderr).toBe(0);
    expect(syncRunDir(runDir).applied).toBe(0); // a second sync applies nothing
    const after = await rowsOf(root, "sh000005");
    expectExactSeries(after, "rank_0", 1000);
    expectExactSeries(after, "rank_1", logged);
    const again = await api.run("tester/shared/sh000005");
    expect(again.state).toBe("finished");
    expect((await again.writers()).find((w) => w.label === "rank_1")?.state).toBe("crashed");
    api.close();
  }, 180_000);
});
