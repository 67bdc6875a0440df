import { describe, expect, it } from "vitest";
import type { Run } from "../run/run.js";
import type { InitOptions } from "../run/run-options.js";
import type { StoreReader } from "../store/store.js";
import { present } from "./scratch.js";

/**
 * The read contract every store meets (the embedded SQLite store, PostgreSQL through the server,
 * the HTTP reader). A store under test supplies how runs are written into it and how it is read.
 */
export interface StoreUnderTest {
  init(options: InitOptions): Promise<Run>;
  reader(): StoreReader;
}

export function describeStoreReaderContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`StoreReader contract: ${name}`, () => {
    it("lists projects and runs, and reads a run's fields back", async () => {
      const store = await open();
      const run = await store.init({
        project: "contract",
        entity: "tester",
        config: { lr: 0.1, nested: { a: [1, 2] } },
        tags: ["x"],
        group: "g",
        jobType: "train",
        notes: "n",
      });
      run.log({ loss: 1 });
      run.summary.set("best", 0.5);
      await run.alert({ title: "t", text: "hello", level: "WARN" });
      await run.finish({ exitCode: 2 });
      const reader = store.reader();
      expect(await reader.listProjects()).toEqual([expect.objectContaining({ entity: "tester", name: "contract", runCount: 1 })]);
      const [view] = await reader.listRuns("tester", "contract");
      expect(view).toMatchObject({
        id: run.id,
        name: run.name,
        notes: "n",
        tags: ["x"],
        group: "g",
        jobType: "train",
        state: "failed",
        exitCode: 2,
        config: { lr: 0.1, nested: { a: [1, 2] } },
        lastStep: 0,
      });
      expect(view?.summary).toMatchObject({ loss: 1, best: 0.5 });
      expect(await reader.getRun("tester", "contract", "nosuchrun")).toBeUndefined();
      expect((await reader.alerts(view as NonNullable<typeof view>)).map((a) => [a.title, a.text, a.level])).toEqual([
        ["t", "hello", "WARN"],
      ]);
    });

    it("stores trace spans at start, completes them at end, and keeps spans that never ended", async () => {
      const store = await open();
      const run = await store.init({ project: "contract", entity: "tester" });
      const base = { traceId: "t1", kind: "chain", startTime: 1000 };
      run.recordSpan({ ...base, event: "start", id: "root", name: "seq", data: { inputs: { q: "hi" }, tags: ["a"] } });
      run.recordSpan({
        ...base,
        event: "start",
        id: "child",
        parentId: "root",
        kind: "llm",
        name: "model",
        startTime: 1001,
        data: { inputs: { prompts: ["p"] } },
      });
      run.recordSpan({
        ...base,
        event: "end",
        id: "child",
        parentId: "root",
        kind: "llm",
        name: "model",
        startTime: 1001,
        endTime: 1005,
        status: "error",
        data: { error: { message: "boom" } },
      });
      run.recordSpan({
        ...base,
        event: "end",
        id: "late",
        name: "no-start",
        startTime: 1002,
        endTime: 1003,
        status: "ok",
        data: { outputs: { n: Number.NaN } },
      });
      await run.finish();
      const reader = store.reader();
      const view = present(await reader.getRun("tester", "contract", run.id), "the run");
      const spans = await reader.spans(view);
      expect(spans.map((span) => [span.id, span.parentId, span.endTime, span.status])).toEqual([
        ["root", undefined, undefined, undefined],
        ["child", "root", 1005, "error"],
        ["late", undefined, 1003, "ok"],
      ]);
      expect(spans[1]?.data).toEqual({ inputs: { prompts: ["p"] }, error: { message: "boom" } });
      expect(spans[0]?.data).toEqual({ inputs: { q: "hi" }, tags: ["a"] });
      expect(spans[2]?.data.outputs).toEqual({ n: Number.NaN });
    });

    it("returns chunk stats and points that reproduce the logged series exactly", async () => {
      const store = await open();
      const run = await store.init({ project: "contract", entity: "tester" });
      const values: number[] = [];
      for (let i = 0; i < 5_000; i++) {
        const v = i % 97 === 0 ? Number.NaN : Math.sin(i / 10);
        values.push(v);
        run.log(i % 2 === 0 ? { y: v, text: `t${i}` } : { y: v });
      }
      await run.finish();
      const reader = store.reader();
      const view = present(await reader.getRun("tester", "contract", run.id), "the run");
      expect(await reader.seriesKeys(view, "history")).toEqual(expect.arrayContaining(["_runtime", "_timestamp", "text", "y"]));
      const all = await reader.chunkInfos(view, "history", "y", Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      expect(Array.from(all.count).reduce((a, b) => a + b, 0)).toBe(5_000);
      const points = await reader.chunkPoints(
        view,
        "history",
        "y",
        all,
        Array.from({ length: all.length }, (_, i) => i),
      );
      const steps = points.flatMap((p) => Array.from(p.steps));
      const got = points.flatMap((p) => Array.from(p.values));
      expect(steps).toEqual(values.map((_, i) => i));
      expect(got.map((v) => (Number.isNaN(v) ? "NaN" : v))).toEqual(values.map((v) => (Number.isNaN(v) ? "NaN" : v)));
      const some = await reader.chunkInfos(view, "history", "y", 2_000, 2_100);
      expect(some.firstStep[0]).toBeLessThanOrEqual(2_000);
      expect(some.lastStep[some.length - 1]).toBeGreaterThanOrEqual(2_100);
      const rows = await reader.historyRows(view, 10, 14);
      expect(rows).toEqual([
        [10, { text: "t10" }],
        [12, { text: "t12" }],
        [14, { text: "t14" }],
      ]);
      expect(await reader.chunkInfos(view, "history", "missing", 0, 10)).toMatchObject({ length: 0 });
    });

    it("returns every stored row of a wide run exactly once, in step order, and the first `limit` rows", async () => {
      const store = await open();
      const run = await store.init({ project: "contract", entity: "tester" });
      const wide = "w".repeat(1_000);
      // ~2.4 MB of rows: a server bounding answers by bytes must page, and the reader must follow.
      for (let step = 0; step < 800; step++) run.log({ a: `${step}:${wide}`, b: `${step}:${wide}`, n: step }, { step: step * 2 });
      await run.finish();
      const reader = store.reader();
      const view = present(await reader.getRun("tester", "contract", run.id), "the run");
      const rows = await reader.historyRows(view, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      expect(rows.map(([step]) => step)).toEqual(Array.from({ length: 800 }, (_, i) => i * 2));
      expect(rows.every(([step, data]) => data.a === `${step / 2}:${wide}` && data.b === data.a && !("n" in data))).toBe(true);
      const some = await reader.historyRows(view, 301, Number.POSITIVE_INFINITY, 5);
      expect(some.map(([step]) => step)).toEqual([302, 304, 306, 308, 310]);
      expect(await reader.historyRows(view, 1_597, 5_000, 10)).toEqual([[1_598, { a: `799:${wide}`, b: `799:${wide}` }]]);
    });
  });
}
