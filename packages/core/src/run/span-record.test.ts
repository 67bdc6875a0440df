import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { RunlogError } from "../errors.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

describe("run.recordSpan and ApiRun.traces()", () => {
  it("builds trees from stored spans: children in start order, unended spans incomplete, orphans as roots", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const span = (id: string, startTime: number, parentId?: string) => ({
      id,
      traceId: "t",
      kind: "chain",
      name: id,
      startTime,
      ...(parentId ? { parentId } : {}),
    });
    run.recordSpan({ ...span("a", 10), event: "start", data: { inputs: { x: 1 } } });
    run.recordSpan({ ...span("c", 30, "a"), event: "start", data: {} });
    run.recordSpan({ ...span("b", 20, "a"), event: "start", data: {} });
    run.recordSpan({
      ...span("b", 20, "a"),
      event: "end",
      endTime: 25,
      status: "ok",
      data: { outputs: "done", tokens: { input: 1, output: 2, total: 3 } },
    });
    run.recordSpan({ ...span("orphan", 5, "missing"), event: "end", endTime: 6, status: "error", data: { error: { message: "x" } } });
    run.recordSpan({ ...span("a", 10), event: "end", endTime: 40, status: "ok", data: { outputs: { y: 2 } } });
    await run.finish();
    const api = new Api({ dir: root });
    const traces = await (await api.run(run.path)).traces();
    api.close();
    expect(traces.map((t) => [t.id, t.status])).toEqual([
      ["orphan", "error"],
      ["a", "ok"],
    ]);
    const a = traces[1];
    expect(a).toMatchObject({ inputs: { x: 1 }, outputs: { y: 2 }, endTime: 40, metadata: {}, tags: [], events: [] });
    expect(a?.children.map((c) => [c.id, c.status])).toEqual([
      ["b", "ok"],
      ["c", "incomplete"],
    ]);
    expect(a?.children[0]?.tokens).toEqual({ input: 1, output: 2, total: 3 });
  });

  it("refuses malformed spans with INVALID_ARGUMENT and loses nothing logged before", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ loss: 1 });
    const good = { event: "start", id: "s", traceId: "t", kind: "chain", name: "n", startTime: 1, data: {} } as const;
    for (const bad of [
      null,
      { ...good, event: "middle" },
      { ...good, id: "" },
      { ...good, id: "x".repeat(300) },
      { ...good, startTime: Number.NaN },
      { ...good, data: [] },
      { ...good, status: "meh" },
      { ...good, name: 42 },
    ]) {
      expect(() => run.recordSpan(bad as never), JSON.stringify(bad)).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    }
    await run.finish();
    expect(() => run.recordSpan(good)).toThrow(/finished/);
    const api = new Api({ dir: root });
    expect((await (await api.run(run.path)).history()).map((r) => r.loss)).toEqual([1]);
    api.close();
  });
});

describe("finish hooks", () => {
  it("are awaited before the run closes, may still log, and a failing or slow hook cannot block finish", async () => {
    const root = tempRoot();
    const run = await initIn(root, { settings: { finishTimeout: 1 } });
    const order: string[] = [];
    run.addFinishHook(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      run.log({ flushed: 1 });
      order.push("hook");
    });
    run.addFinishHook(() => {
      throw new Error("broken hook");
    });
    run.addFinishHook(() => new Promise(() => {})); // never settles: bounded by finishTimeout
    const removed = run.addFinishHook(() => {
      order.push("removed");
    });
    removed();
    await run.finish();
    order.push("finished");
    expect(order).toEqual(["hook", "finished"]);
    const api = new Api({ dir: root });
    expect((await (await api.run(run.path)).history()).map((r) => r.flushed)).toEqual([1]);
    api.close();
    expect(() => run.addFinishHook("nope" as never)).toThrow(RunlogError);
  });
});
