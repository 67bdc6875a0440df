import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Image } from "../data-types/image.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Api } from "./api.js";

describe("Api", () => {
  it("lists, filters and orders runs like W&B's public API", async () => {
    const root = tempRoot();
    for (const [lr, loss, code, tags] of [
      [0.1, 0.5, 0, ["a"]],
      [0.01, 0.2, 1, ["b"]],
      [0.001, 0.9, 0, ["a", "b"]],
    ] as const) {
      const run = await initIn(root, { project: "sweep", config: { lr, opt: { name: "adam" } }, tags: [...tags] });
      run.log({ loss });
      await run.finish({ exitCode: code });
    }
    const api = new Api({ dir: root });
    expect(await api.projects()).toEqual([expect.objectContaining({ entity: "tester", name: "sweep", runCount: 3 })]);
    const all = await api.runs("tester/sweep");
    expect(all.map((r) => r.config.lr)).toEqual([0.001, 0.01, 0.1]); // newest first
    const finished = await api.runs("tester/sweep", { filters: { state: "finished" }, order: "+summary.loss" });
    expect(finished.map((r) => r.summary.loss)).toEqual([0.5, 0.9]);
    expect(
      (await api.runs("tester/sweep", { filters: { "config.lr": { $gte: 0.01 } }, order: "config.lr" })).map((r) => r.config.lr),
    ).toEqual([0.01, 0.1]);
    expect((await api.runs("tester/sweep", { filters: { tags: "b", "config.opt.name": "adam" } })).length).toBe(2);
    expect((await api.runs("tester/sweep", { filters: { $or: [{ state: "failed" }, { "summary.loss": { $gt: 0.8 } }] } })).length).toBe(2);
    expect((await api.runs("tester/sweep", { filters: { name: { $regex: "^nomatch" } } })).length).toBe(0);
    expect(await api.runs("tester/empty")).toEqual([]);
    api.close();
  });

  it("history samples evenly (first and last kept); scanHistory pages through every row in order", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    for (let i = 0; i < 5_000; i++) run.log(i % 2 === 0 ? { even: i, text: `s${i}` } : { odd: i });
    await run.finish();
    const stored = await new Api({ dir: root }).run(run.path);
    const sampled = await stored.history({ samples: 11 });
    const steps = sampled.map((r) => r._step);
    expect(steps).toHaveLength(11);
    expect([steps[0], steps[10]]).toEqual([0, 4999]);
    for (let i = 1; i < steps.length; i++) expect(Math.abs((steps[i] as number) - (steps[i - 1] as number) - 500)).toBeLessThanOrEqual(1);
    expect(sampled[1]).toMatchObject({ even: 500, text: "s500" });
    expect(sampled[10]).toMatchObject({ odd: 4999 });
    expect(sampled[10]).not.toHaveProperty("even");
    let count = 0;
    let previous = -1;
    for await (const row of stored.scanHistory({ pageSize: 777 })) {
      expect(row._step).toBe(previous + 1);
      previous = row._step;
      count++;
    }
    expect(count).toBe(5_000);
    const odd: number[] = [];
    for await (const row of stored.scanHistory({ keys: ["odd"], minStep: 100, maxStep: 110 })) odd.push(row.odd as number);
    expect(odd).toEqual([101, 103, 105, 107, 109]);
    const keyed = await stored.history({ keys: ["text"], samples: 10_000 });
    expect(keyed).toHaveLength(2_500);
    expect(Object.keys(keyed[0] ?? {}).sort()).toEqual(["_runtime", "_step", "_timestamp", "text"]);
  });

  it("files() lists every file of the run once, with its size: media, files written into run.dir and saved files", async () => {
    const root = tempRoot();
    const outside = join(root, "outside.txt");
    writeFileSync(outside, "not the run's");
    writeFileSync(join(root, "weights.bin"), "0123456789");
    const run = await initIn(root);
    run.log({ sample: new Image([[0, 255]]) });
    mkdirSync(join(run.dir, "reports"), { recursive: true });
    writeFileSync(join(run.dir, "reports", "eval.csv"), "a,b\n1,2\n");
    symlinkSync(outside, join(run.dir, "link.txt")); // a link is not followed out of the folder
    await run.save(join(root, "weights.bin"), { basePath: root, policy: "now" });
    await run.finish();
    const stored = await new Api({ dir: root }).run(run.path);
    const [row] = await stored.history();
    const image = (row as Record<string, { path: string; size: number }>).sample;
    const files = await stored.files();
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining([image?.path, "reports/eval.csv", "weights.bin"]));
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).not.toContain("link.txt");
    expect(paths).toEqual([...paths].sort());
    const sizeOf = (path: string | undefined) => files.find((file) => file.path === path)?.size;
    expect([sizeOf(image?.path), sizeOf("reports/eval.csv"), sizeOf("weights.bin")]).toEqual([image?.size, 8, 10]);
    for (const file of files) expect(readFileSync(stored.filePath(file.path)).length).toBe(file.size);
  });
});
