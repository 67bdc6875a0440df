import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { Histogram } from "../data-types/histogram.js";
import { RunlogError } from "../errors.js";
import { initIn, readHistory, userColumns } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { init } from "./init.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(RunlogError.isInstance(error)).toBe(true);
    expect((error as Error).message.length).toBeGreaterThan(20);
    return (error as RunlogError).code;
  }
  return undefined;
}

async function asyncCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    expect(RunlogError.isInstance(error)).toBe(true);
    return (error as RunlogError).code;
  }
  return undefined;
}

describe("hostile input to init", () => {
  it("answers every malformed option with INVALID_ARGUMENT and creates nothing", async () => {
    const root = tempRoot();
    const cases: Record<string, unknown>[] = [
      { id: "../escape" },
      { id: "a/b" },
      { id: "" },
      { id: "x".repeat(65) },
      { id: "bad id" },
      { id: "\0nul" },
      { project: "a/b" },
      { project: "x".repeat(129) },
      { project: "" },
      { project: "..", id: "okid0001" },
      { entity: "a:b" },
      { tags: "not-an-array" },
      { tags: [""] },
      { tags: ["x".repeat(65)] },
      { tags: [1] },
      { name: 42 },
      { name: "x".repeat(129) },
      { notes: { html: true } },
      { mode: "cloud" },
      { resume: "sometimes" },
      { reinit: "maybe" },
      { settings: { flushInterval: -1 } },
      { settings: "fast" },
      { unknownOption: 1 },
      { config: "lr=0.1" },
      { config: { f: () => 1 } },
      { resumeFrom: "abc" },
    ];
    for (const options of cases) {
      const code = await asyncCodeOf(initIn(root, options));
      expect([code, options]).toEqual([expect.stringMatching(/INVALID_ARGUMENT|INVALID_VALUE/), options]);
      // Nothing on disk: no store, no runs folder, no lock or half-made run.
      expect([readdirSync(root), options]).toEqual([[], options]);
    }
    expect(await asyncCodeOf(init(null as never))).toBe("INVALID_ARGUMENT");
    expect(await asyncCodeOf(init("project" as never))).toBe("INVALID_ARGUMENT");
    expect(readdirSync(root)).toEqual([]);
  });
});

describe("a damaged store", () => {
  it("init refuses a corrupt runlog.db with STORE_ERROR and a path in the message", async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const root = tempRoot();
    writeFileSync(join(root, "runlog.db"), "this is not a database ".repeat(1000));
    await expect(initIn(root)).rejects.toMatchObject({ code: "STORE_ERROR", message: expect.stringContaining(join(root, "runlog.db")) });
  });
});

describe("hostile input to run.log and friends", () => {
  it("refuses bad values with a clear error, keeps the good values of the same call and everything before", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ before: 1 });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 40; i++) {
      cursor.next = {};
      cursor = cursor.next as Record<string, unknown>;
    }
    cursor.leaf = 1;
    const notObjects: unknown[] = [null, undefined, 42, "loss", [1, 2], new Date(), () => 1, Symbol("x"), new Histogram([1, 2])];
    for (const data of notObjects) {
      expect(codeOf(() => run.log(data as Record<string, unknown>))).toBe("INVALID_ARGUMENT");
    }
    const badOptions = [{ step: -1 }, { step: 1.5 }, { step: "3" }, { step: Number.NaN }, { commit: "yes" }, "commit"];
    for (const options of badOptions) {
      expect(codeOf(() => run.log({ a: 1 }, options as never))).toBe("INVALID_ARGUMENT");
    }
    const badValues: Record<string, unknown>[] = [
      { ok1: 1, fn: () => 1 },
      { ok2: 2, sym: Symbol("s") },
      { ok3: 3, cyclic },
      { ok4: 4, huge: "x".repeat(10 * 1024 * 1024) },
      { ok5: 5, "": 1 },
      { ok6: 6, ["k".repeat(2000)]: 1 },
      { ok7: 7, deep },
      { ok8: 8, instance: new (class Model {})() },
      { ok9: 9, _step: 3 },
      { ok10: 10, arr: [1, () => 2] },
      { ok11: 11, [Symbol("key")]: 1 },
      { ok12: 12, bigArray: new Array(200_000).fill(123456.789) },
    ];
    for (const data of badValues) {
      expect(codeOf(() => run.log(data))).toBe("INVALID_VALUE");
    }
    run.log({ "a.b": 1, "ünï/cødé 🚀": 2, "with/slash/es": 3, "dots.in.key": 4 });
    await run.finish();
    const rows = userColumns(await readHistory(root, run.path));
    expect(rows[0]).toEqual({ _step: 0, before: 1 });
    // Each bad call still logged its good value, at its own step.
    // (the cyclic object's own valid leaf is kept too; only the cycle is refused).
    const expected = Array.from({ length: 12 }, (_, i) => [`ok${i + 1}`]);
    expected[2] = ["cyclic.a", "ok3"];
    expect(
      rows.slice(1, 13).map((row) =>
        Object.keys(row)
          .filter((k) => k !== "_step")
          .sort(),
      ),
    ).toEqual(expected);
    expect(rows[13]).toEqual({ _step: 13, "a.b": 1, "ünï/cødé 🚀": 2, "with/slash/es": 3, "dots.in.key": 4 });
  });

  it("summary, defineMetric, tags and Api refuse hostile input", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    expect(codeOf(() => run.summary.set("", 1))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => run.summary.set("f", () => 1))).toBe("INVALID_VALUE");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => run.summary.set("c", cyclic))).toBe("INVALID_VALUE");
    expect(codeOf(() => run.summary.update(null as never))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => run.defineMetric("a*b"))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => run.defineMetric("x", { summary: "p99" }))).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => run.defineMetric(42 as unknown as string))).toBe("INVALID_ARGUMENT");
    expect(
      codeOf(() => {
        run.tags = ["ok", "x".repeat(100)];
      }),
    ).toBe("INVALID_ARGUMENT");
    expect(
      codeOf(() => {
        run.name = "";
      }),
    ).toBe("INVALID_ARGUMENT");
    expect(codeOf(() => run.config.update({ c: cyclic }))).toBe("INVALID_VALUE");
    run.log({ kept: 1 });
    await run.finish();
    const api = new Api({ dir: root });
    for (const path of ["", "a/b/c/d", "../../etc/passwd", "tester/test/../x", 42]) {
      expect(await asyncCodeOf(api.run(path as string))).toMatch(/INVALID_ARGUMENT/);
    }
    expect(await asyncCodeOf(api.run("tester/test/nosuch01"))).toBe("RUN_NOT_FOUND");
    const stored = await api.run(run.path);
    expect(await asyncCodeOf(stored.history({ samples: 0 }))).toBe("INVALID_ARGUMENT");
    expect(await asyncCodeOf(stored.series("kept", { buckets: -5 }))).toBe("INVALID_ARGUMENT");
    expect(await asyncCodeOf(stored.series("kept", { range: [10, 1] }))).toBe("INVALID_ARGUMENT");
    expect(await asyncCodeOf(api.runs("tester/test", { filters: { state: { $where: "1" } } }))).toBe("INVALID_ARGUMENT");
    expect((await stored.history()).map((r) => r.kept)).toEqual([1]);
    api.close();
  });
});
