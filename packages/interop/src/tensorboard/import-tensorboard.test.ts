import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, RunlogError } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTensorboardRuns, readWithTensorboard } from "../test-support/tensorboard-oracle.js";
import { importTensorboard } from "./import-tensorboard.js";

let logdir: string;

beforeAll(() => {
  logdir = join(mkdtempSync(join(tmpdir(), "runlog-tb-")), "logs");
  makeTensorboardRuns(logdir);
}, 180_000);
afterAll(() => rmSync(join(logdir, ".."), { recursive: true, force: true }));

async function rowsOf(root: string, path: string) {
  const run = await new Api({ dir: root }).run(path);
  const rows = [];
  for await (const row of run.scanHistory()) rows.push(row);
  return { run, rows };
}

describe("importTensorboard: event files from torch.utils.tensorboard and tensorboardX", () => {
  it("imports every scalar (step and wall time), histogram and image that TensorBoard reads, hparams as config", async () => {
    const root = tempRoot();
    const report = importTensorboard(logdir, { dir: root, entity: "e" });
    expect(report.runs.map((run) => run.id).sort()).toEqual(["nested-tbx", "torch"]);
    for (const [folder, id] of [
      ["torch", "torch"],
      ["nested/tbx", "nested-tbx"],
    ] as const) {
      const oracle = readWithTensorboard(join(logdir, folder));
      const { rows } = await rowsOf(root, `e/logs/${id}`);
      for (const [tag, events] of Object.entries(oracle.scalars)) {
        const mine = rows.filter((row) => tag in row).map((row) => [row._step, row[tag]]);
        // TensorBoard keeps float32 values as read: the same numbers, not rounded again.
        expect(mine, tag).toEqual(events.map(([step, , value]) => [step, value]));
        // A row's wall time is its step's first event's (the first tag written each step).
        if (tag === "train/loss" || tag === "acc")
          expect(rows.filter((row) => tag in row).map((row) => row._timestamp)).toEqual(events.map(([, wall]) => wall));
      }
      for (const [tag, events] of Object.entries(oracle.histograms)) {
        const mine = rows.filter((row) => tag in row).map((row) => [row._step, (row[tag] as { values: number[] }).values]);
        expect(mine, tag).toEqual(events);
      }
      for (const [tag, events] of Object.entries(oracle.images)) {
        const mine = rows
          .filter((row) => tag in row)
          .map((row) => {
            const image = row[tag] as { width: number; height: number; size: number };
            return [row._step, image.width, image.height, image.size];
          });
        expect(mine, tag).toEqual(events);
      }
    }
    const { run, rows } = await rowsOf(root, "e/logs/torch");
    expect(run.config).toEqual({ lr: 0.1, optimizer: "sgd", layers: 2 });
    expect(rows.find((row) => row._step === 4)?.["notes/text_summary"]).toBe("hello **tensorboard**");
    const image = rows.find((row) => "sample" in row)?.sample as { path: string; size: number };
    expect(readFileSync(run.filePath(image.path)).length).toBe(image.size);
    expect([run.state, run.name]).toEqual(["finished", "torch"]);
  });

  it("adds nothing when the same log dir is imported again", async () => {
    const root = tempRoot();
    importTensorboard(logdir, { dir: root, entity: "e" });
    const before = (await rowsOf(root, "e/logs/torch")).rows;
    const again = importTensorboard(logdir, { dir: root, entity: "e" });
    expect(again.runs.map((run) => [run.written, run.applied])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect((await rowsOf(root, "e/logs/torch")).rows).toEqual(before);
  });

  it("a damaged event: SOURCE_CORRUPT naming the file and offset, every event before it imported", async () => {
    const root = tempRoot();
    const dir = join(tempRoot(), "bad");
    const name = readdirSync(join(logdir, "nested", "tbx")).find((file) => file.startsWith("events.")) as string;
    const bytes = readFileSync(join(logdir, "nested", "tbx", name));
    const at = bytes.lastIndexOf(Buffer.from("acc")); // the last scalar (step 20)
    bytes[at] = (bytes[at] as number) ^ 0xff;
    rmSync(dir, { recursive: true, force: true });
    const file = join(tempRoot(), name);
    writeFileSync(file, bytes);
    let caught: unknown;
    try {
      importTensorboard(file, { dir: root, entity: "e", project: "p" });
    } catch (error) {
      caught = error;
    }
    expect(RunlogError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ code: "SOURCE_CORRUPT", details: { file, offset: expect.any(Number) } });
    expect((caught as Error).message).toContain(file);
    const runs = await new Api({ dir: root }).runs("e/p");
    const rows = [];
    for await (const row of (runs[0] as (typeof runs)[number]).scanHistory()) rows.push(row);
    expect(rows.map((row) => [row._step, row.acc])).toEqual([
      [0, 0],
      [10, expect.closeTo(1 / 3, 6)],
    ]);
  });
});
