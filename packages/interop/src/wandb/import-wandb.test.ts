import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importRuns } from "../import-runs.js";
import { flatten, inspectRecords, inspectSummary, makeWandbRuns } from "../test-support/wandb-oracle.js";
import { importWandb } from "./import-wandb.js";

let source: string;
let files: string[];

beforeAll(() => {
  source = mkdtempSync(join(tmpdir(), "runlog-wandb-"));
  makeWandbRuns(source);
  const wandbDir = join(source, "wandb");
  files = readdirSync(wandbDir)
    .filter((name) => name.startsWith("offline-run-"))
    .sort()
    .map((name) => join(wandbDir, name, "run-wb1.wandb"));
}, 180_000);
afterAll(() => rmSync(source, { recursive: true, force: true }));

/** W&B resumes an offline run from step 0; the import continues it after the last step (as W&B online does). */
const RESUMED_STEP_OFFSET = 21;

/** History rows as W&B's reader reports them, over every attempt (the resumed one's steps moved on). */
function wandbHistory(): Record<string, unknown>[] {
  return files.flatMap((file, attempt) =>
    inspectRecords(file)
      .filter((record) => record.type === "history")
      .map((record) => (record.history as { item: Record<string, unknown> }).item)
      .map((row) => (attempt === 0 ? row : { ...row, _step: (row._step as number) + RESUMED_STEP_OFFSET })),
  );
}

async function runlogHistory(root: string, path: string): Promise<Record<string, unknown>[]> {
  const run = await new Api({ dir: root }).run(path);
  const rows: Record<string, unknown>[] = [];
  for await (const row of run.scanHistory()) rows.push(flatten(row));
  return rows;
}

describe("importWandb: real W&B offline runs", () => {
  it("imports history, summary and config exactly as W&B's own reader reports them, resume included", async () => {
    const root = tempRoot();
    const report = await importRuns("wandb", source, { dir: root, entity: "e" });
    expect(report.runs.map((run) => [run.project, run.id, run.sources.length])).toEqual([["imported", "wb1", 2]]);
    expect(await runlogHistory(root, "e/imported/wb1")).toEqual(wandbHistory());

    const [first, resumed] = files.map(inspectSummary) as [ReturnType<typeof inspectSummary>, ReturnType<typeof inspectSummary>];
    const run = await new Api({ dir: root }).run("e/imported/wb1");
    expect(run.summary).toEqual({ ...first.summary, ...resumed.summary, _step: (resumed.summary._step as number) + RESUMED_STEP_OFFSET });
    expect(run.config).toEqual({ ...first.config, ...resumed.config });
    expect(run.config).toEqual({ lr: 0.01, model: { layers: 3, act: "relu" }, batch: 32 });
    expect(first.summary.loss).toEqual({ min: 1 / 12, last: 1 / 12 }); // define_metric summaries came through
  });

  it("maps run metadata, define_metric, alerts, console, media, system metrics and the exit", async () => {
    const root = tempRoot();
    const report = importWandb(join(source, "wandb"), { dir: root, entity: "e", project: "moved" });
    expect(report.unmapped["wandb: telemetry records"]).toBeGreaterThan(0);
    const run = await new Api({ dir: root }).run("e/moved/wb1");
    expect([run.name, run.notes, run.tags, run.group, run.jobType, run.state, run.exitCode]).toEqual([
      "first try",
      "a note",
      ["a", "b"],
      "g",
      "train",
      "finished",
      0,
    ]);
    expect(run.metrics).toEqual([
      { name: "epoch", stepSync: false, hidden: false, summary: [] },
      { name: "val/*", stepMetric: "epoch", stepSync: true, hidden: false, summary: ["max"] },
      { name: "loss", stepSync: false, hidden: false, summary: ["min", "last"] },
      { name: "secret", stepSync: false, hidden: true, summary: [] },
    ]);
    expect((await run.alerts()).map((a) => [a.title, a.text, a.level, a.waitDuration])).toEqual([
      ["slow", "loss plateaued", "WARN", 60_000],
    ]);
    const names = (await run.files()).map((f) => f.path).sort();
    const image = names.find((name) => name.startsWith("media/images/img_5_"));
    expect(image).toBeDefined();
    expect(names).toContain("output.log");
    expect(names.some((name) => name.startsWith("media/table/tab_5_"))).toBe(true);
    expect(readFileSync(run.filePath("output.log"), "utf8")).toContain("hello from the run");
    const sourceImage = join(files[0] as string, "..", "files", image as string);
    expect(readFileSync(run.filePath(image as string))).toEqual(readFileSync(sourceImage));
    const history = await run.history({ keys: ["img"] });
    expect(history.find((row) => row._step === 5)?.img).toMatchObject({ _type: "image-file", path: image, width: 4, height: 4 });
    expect((await run.systemKeys()).some((key) => key.startsWith("system/memory_percent"))).toBe(true);
    expect(run.metadata).toMatchObject({ source: "wandb", host: expect.any(String), git: { commit: expect.any(String) } });
  });

  it("adds nothing when the same files are imported again", async () => {
    const root = tempRoot();
    const first = importWandb(source, { dir: root, entity: "e" });
    expect(first.runs[0]?.applied).toBeGreaterThan(0);
    const again = importWandb(source, { dir: root, entity: "e" });
    expect(again.runs.map((run) => [run.written, run.applied])).toEqual([[0, 0]]);
    expect(await runlogHistory(root, "e/imported/wb1")).toEqual(wandbHistory());
  });

  it("continues an import killed mid-write: the torn log tail is cut and the rest written once", async () => {
    const root = tempRoot();
    importWandb(files[0] as string, { dir: root, entity: "e" });
    const log = join(root, "runs", "e", "imported", "wb1", "attempt-0000.rlog");
    truncateSync(log, Math.floor(statSync(log).size / 2) + 3); // a torn frame at the end, as a kill leaves it
    const rerun = importWandb(files[0] as string, { dir: root, entity: "e" });
    expect(rerun.runs[0]?.written).toBeGreaterThan(0);
    const expected = wandbHistory().filter((row) => (row._step as number) <= 20);
    expect(await runlogHistory(root, "e/imported/wb1")).toEqual(expected);
  });

  it("a damaged record: SOURCE_CORRUPT naming the file and offset, every record before it imported", async () => {
    const root = tempRoot();
    const damaged = join(tempRoot(), "run-bad.wandb");
    const bytes = readFileSync(files[0] as string);
    const at = bytes.indexOf(Buffer.from("val/acc")) + 2; // inside the history record of step 3
    bytes[at] = (bytes[at] as number) ^ 0xff;
    writeFileSync(damaged, bytes);
    let caught: unknown;
    try {
      importWandb(damaged, { dir: root, entity: "e", project: "p" });
    } catch (error) {
      caught = error;
    }
    expect(RunlogError.isInstance(caught)).toBe(true);
    const error = caught as RunlogError;
    expect(error.code).toBe("SOURCE_CORRUPT");
    expect(error.message).toContain(damaged);
    expect(error.details).toEqual({ file: damaged, offset: expect.any(Number) });
    expect(error.message).toContain(`byte ${error.details?.offset}`);
    const rows = await runlogHistory(root, "e/p/bad");
    expect(rows.map((row) => row._step)).toEqual([0, 1, 2]);
  });

  it("a truncated file (a run killed while writing) imports every whole record", async () => {
    const root = tempRoot();
    const cut = join(tempRoot(), "run-cut.wandb");
    const bytes = readFileSync(files[0] as string);
    writeFileSync(cut, bytes.subarray(0, bytes.indexOf(Buffer.from("val/acc")) + 2));
    importWandb(cut, { dir: root, entity: "e", project: "p" });
    const run = await new Api({ dir: root }).run("e/p/cut");
    expect((await runlogHistory(root, "e/p/cut")).map((row) => row._step)).toEqual([0, 1, 2]);
    expect(run.config).toMatchObject({ lr: 0.01 });
  });

  it("refuses what is not a W&B log or not there", async () => {
    const root = tempRoot();
    const stray = join(tempRoot(), "run-x.wandb");
    writeFileSync(stray, "not a log at all");
    expect(() => importWandb(stray, { dir: root })).toThrow(
      expect.objectContaining({ code: "SOURCE_CORRUPT", details: { file: stray, offset: 0 } }),
    );
    expect(() => importWandb(join(root, "missing"), { dir: root })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    await expect(importRuns("nope" as "wandb", source, { dir: root })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});
