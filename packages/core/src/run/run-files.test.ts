import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Api } from "../api/api.js";
import { RunlogError } from "../errors.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

function inDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.cwd();
  process.chdir(dir);
  return fn().finally(() => process.chdir(previous));
}

describe("run.save / restore", () => {
  it("now, end and live policies copy files into the run folder and record them with the run", async () => {
    const root = tempRoot();
    const work = join(root, "work");
    mkdirSync(join(work, "ckpt"), { recursive: true });
    writeFileSync(join(work, "ckpt", "a.pt"), "A1");
    writeFileSync(join(work, "ckpt", "b.pt"), "B1");
    writeFileSync(join(work, "notes.txt"), "n1");
    writeFileSync(join(work, "live.log"), "L1");
    const run = await initIn(root);
    const saved = await inDir(work, () => run.save("ckpt/*.pt", { policy: "now" }));
    expect(saved).toEqual(["ckpt/a.pt", "ckpt/b.pt"]);
    expect(await inDir(work, () => run.save("notes.txt", { policy: "end" }))).toEqual(["notes.txt"]);
    expect(await run.save(join(work, "ckpt", "*.pt"), { basePath: join(work, "ckpt"), policy: "now" })).toEqual(["a.pt", "b.pt"]);
    expect(await run.save(join(work, "ckpt", "a.pt"), { policy: "now" })).toEqual(["ckpt/a.pt"]); // absolute: one folder level kept
    expect(await inDir(work, () => run.save("live.log"))).toEqual(["live.log"]);
    writeFileSync(join(work, "notes.txt"), "n2"); // "end": the content at finish is saved
    writeFileSync(join(work, "live.log"), "L2"); // "live": re-copied on change
    await vi.waitFor(() => expect(readFileSync(join(run.dir, "live.log"), "utf8")).toBe("L2"), { timeout: 10_000, interval: 20 });
    await expect(run.save("x", { policy: "sometimes" as "now" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(run.save("s3://bucket/x")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(run.save(join(work, "notes.txt"), { basePath: join(work, "ckpt") })).rejects.toMatchObject({ code: "PATH_OUTSIDE_ROOT" });
    expect(await run.save(join(work, "nothing-*.bin"))).toEqual([]);
    await run.finish();
    expect(readFileSync(join(run.dir, "notes.txt"), "utf8")).toBe("n2");
    const files = await (await new Api({ dir: root }).run(run.path)).files();
    expect(files.map((f) => f.path)).toEqual(["a.pt", "b.pt", "ckpt/a.pt", "ckpt/b.pt", "live.log", "notes.txt"]);
    expect(files.find((f) => f.path === "live.log")?.size).toBe(2);
  });

  it("restore copies a saved file from this run or another one, respecting replace", async () => {
    const root = tempRoot();
    const source = join(root, "weights.bin");
    writeFileSync(source, "v1");
    const first = await initIn(root, { id: "first001" });
    await first.save(source, { basePath: root, policy: "now" });
    await first.finish();
    const second = await initIn(root);
    const target = join(root, "restored");
    const path = await second.restore("weights.bin", { runPath: "tester/test/first001", root: target });
    expect(path).toBe(join(target, "weights.bin"));
    expect(readFileSync(path as string, "utf8")).toBe("v1");
    writeFileSync(path as string, "local edit");
    expect(readFileSync((await second.restore("weights.bin", { runPath: "tester/test/first001", root: target })) as string, "utf8")).toBe(
      "local edit",
    );
    await second.restore("weights.bin", { runPath: "tester/test/first001", root: target, replace: true });
    expect(readFileSync(path as string, "utf8")).toBe("v1");
    expect(await second.restore("missing.bin", { runPath: "tester/test/first001" })).toBeUndefined();
    await expect(second.restore("../../etc/passwd", { runPath: "tester/test/first001" })).rejects.toMatchObject({
      code: "PATH_OUTSIDE_ROOT",
    });
    await expect(second.restore("x", { runPath: "tester/test/../../etc" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await second.finish();
  });

  it("restore from a run that does not exist raises RUN_NOT_FOUND, as W&B raises (a missing file of a known run is undefined)", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    await expect(run.restore("weights.bin", { runPath: "tester/test/nosuch01" })).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
      message: expect.stringContaining("tester/test/nosuch01"),
    });
    expect(await run.restore("weights.bin")).toBeUndefined();
    await run.finish();
  });
});

describe("run.logCode", () => {
  it("logs source files as a code artifact named source-<project>-<entry>, skipping dependencies", async () => {
    const root = tempRoot();
    const code = join(root, "code");
    mkdirSync(join(code, "src"), { recursive: true });
    mkdirSync(join(code, "node_modules", "dep"), { recursive: true });
    writeFileSync(join(code, "src", "train.ts"), "export {};");
    writeFileSync(join(code, "package.json"), "{}");
    writeFileSync(join(code, "data.csv"), "1,2");
    writeFileSync(join(code, "node_modules", "dep", "index.js"), "");
    const run = await initIn(root);
    const artifact = await run.logCode({ root: code, name: "source-test-train" });
    expect(artifact?.type).toBe("code");
    expect(Object.keys(artifact?.manifest.contents ?? {})).toEqual(["package.json", "src/train.ts"]);
    const custom = await run.logCode({ root: code, include: (path) => path.endsWith(".csv") });
    expect(custom?.name).toMatch(/^source-test-/);
    expect(Object.keys(custom?.manifest.contents ?? {})).toEqual(["data.csv"]);
    expect(await run.logCode({ root: code, include: () => false })).toBeUndefined();
    await run.finish();
  });

  it("answers a missing root, a file as root and bad include/exclude with INVALID_ARGUMENT, never a raw error", async () => {
    const root = tempRoot();
    const code = join(root, "code");
    mkdirSync(code);
    writeFileSync(join(code, "train.ts"), "export {};");
    const run = await initIn(root);
    const bad: [string, Parameters<typeof run.logCode>[0]][] = [
      ["missing root", { root: join(root, "nope") }],
      ["file as root", { root: join(code, "train.ts") }],
      ["empty root", { root: "" }],
      ["root not a string", { root: 42 as never }],
      ["include not a function", { root: code, include: "*.ts" as never }],
      ["exclude not a function", { root: code, exclude: /x/ as never }],
      [
        "include throws",
        {
          root: code,
          include: () => {
            throw new TypeError("boom");
          },
        },
      ],
    ];
    for (const [label, options] of bad) {
      const attempt = run.logCode(options).then(
        () => "resolved",
        (error: unknown) => (RunlogError.isInstance(error) ? error.code : `raw ${String(error)}`),
      );
      expect([label, await attempt]).toEqual([label, "INVALID_ARGUMENT"]);
    }
    // Still usable afterwards.
    expect(Object.keys((await run.logCode({ root: code, name: "source-ok" }))?.manifest.contents ?? {})).toEqual(["train.ts"]);
    await run.finish();
  });
});
