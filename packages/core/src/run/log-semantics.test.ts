import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Table } from "../data-types/table.js";
import { RunlogError } from "../errors.js";
import { initIn, readHistory, userColumns } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

/** W&B's documented step/commit semantics, read back from the real store. */
describe("run.log step and commit rules (W&B semantics)", () => {
  it("no step, no commit: every call is a new step", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ a: 1 });
    run.log({ a: 2 });
    expect(run.step).toBe(2);
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, a: 1 },
      { _step: 1, a: 2 },
    ]);
  });

  it("commit: false accumulates into the current step until a committing call", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ a: 1 }, { commit: false });
    run.log({ b: 2 }, { commit: false });
    run.log({ c: 3 });
    run.log({ a: 4 });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, a: 1, b: 2, c: 3 },
      { _step: 1, a: 4 },
    ]);
  });

  it("an empty uncommitted log opens its step's row: a higher step writes it (empty), as W&B does", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ a: 1 });
    run.log({}, { commit: false });
    run.log({ z: 1 }, { step: 5 });
    run.log({ z: 2 });
    run.log({}, { commit: false });
    run.log({ y: 1 }); // an open empty row and a committing call: one row
    run.log({ y: 2 });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, a: 1 },
      { _step: 1 },
      { _step: 5, z: 2 },
      { _step: 6, y: 1 },
      { _step: 7, y: 2 },
    ]);
  });

  it("the seed's example: step given without commit accumulates; a higher step commits", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ "train-loss": 0.5 }, { step: 0 });
    run.log({ accuracy: 0.8 }, { step: 0 });
    run.log({ "train-loss": 0.4 }, { step: 1 });
    run.log({ accuracy: 0.9 }, { step: 1 });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, "train-loss": 0.5, accuracy: 0.8 },
      { _step: 1, "train-loss": 0.4, accuracy: 0.9 },
    ]);
  });

  it("step with commit: true commits that step at once; later value for a key wins", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ a: 1, b: 1 }, { step: 5 });
    run.log({ a: 2 }, { step: 5, commit: true });
    expect(run.step).toBe(6);
    run.log({ a: 3 });
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 5, a: 2, b: 1 },
      { _step: 6, a: 3 },
    ]);
  });

  it("a lower step is dropped with W&B's warning (warn-drop), or throws STEP_REGRESSION", async () => {
    const root = tempRoot();
    const warnings: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => warnings.push(String(chunk)) > 0) as typeof write;
    const run = await initIn(root);
    try {
      run.log({ a: 1 }, { step: 10 });
      run.log({ a: 2 }, { step: 3 });
    } finally {
      process.stderr.write = write;
    }
    expect(warnings.join("")).toMatch(/Tried to log to step 3 that is less than the current step 10/);
    await run.finish();
    expect(userColumns(await readHistory(root, run.path))).toEqual([{ _step: 10, a: 1 }]);

    const strict = await initIn(root, { settings: { onStepRegression: "error" } });
    strict.log({ a: 1 }, { step: 4 });
    expect(() => strict.log({ a: 2 }, { step: 1 })).toThrowError(expect.objectContaining({ code: "STEP_REGRESSION" }));
    await strict.finish();
    expect(userColumns(await readHistory(root, strict.path))).toEqual([{ _step: 4, a: 1 }]);
  });

  it("flattens nested objects to dotted keys; keeps NaN/Infinity; typed arrays > 32 become histograms", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({
      train: { loss: 0.1, sub: { x: 1 } },
      nan: Number.NaN,
      inf: Number.NEGATIVE_INFINITY,
      big: 2n ** 70n,
      small: 7n,
      on: true,
      text: "hello",
      short: new Float32Array([1, 2, 3]),
      long: new Float64Array(100).map((_, i) => i),
      when: new Date(0),
      nothing: null,
      skipped: undefined,
    });
    await run.finish();
    const [row] = await readHistory(root, run.path);
    expect(row).toMatchObject({
      _step: 0,
      "train.loss": 0.1,
      "train.sub.x": 1,
      inf: Number.NEGATIVE_INFINITY,
      big: "1180591620717411303424",
      small: 7,
      on: true,
      text: "hello",
      short: [1, 2, 3],
      when: "1970-01-01T00:00:00.000Z",
      nothing: null,
    });
    expect(row?.nan).toBeNaN();
    expect(row).not.toHaveProperty("skipped");
    const long = row?.long as { _type: string; values: number[]; bins: number[] };
    expect(long._type).toBe("histogram");
    expect(long.values).toHaveLength(32);
    expect(long.values.reduce((a, b) => a + b, 0)).toBe(100);
    expect(typeof row?._runtime).toBe("number");
    expect(row?._timestamp).toBeGreaterThan(1.7e9);
  });

  it("defineMetric stepMetric + stepSync inserts the step metric's latest value", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.defineMetric("epoch");
    run.defineMetric("val/*", { stepMetric: "epoch" });
    run.log({ "train/loss": 1, epoch: 0 });
    run.log({ "val/acc": 0.5 });
    run.log({ epoch: 1 });
    run.log({ "val/acc": 0.7 });
    await run.finish();
    const rows = userColumns(await readHistory(root, run.path));
    expect(rows).toEqual([
      { _step: 0, "train/loss": 1, epoch: 0 },
      { _step: 1, "val/acc": 0.5, epoch: 0 },
      { _step: 2, epoch: 1 },
      { _step: 3, "val/acc": 0.7, epoch: 1 },
    ]);
  });

  it("stepSync also fills the step metric into rows that hold only media or strings (W&B: Lightning's log_table lands at trainer/global_step)", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.defineMetric("trainer/global_step");
    run.defineMetric("*", { stepMetric: "trainer/global_step", stepSync: true });
    run.log({ loss: 1, "trainer/global_step": 7 });
    run.log({ samples: new Table({ columns: ["a"], data: [[1]] }) });
    run.log({ note: "done" });
    await run.finish();
    const rows = await readHistory(root, run.path);
    expect(rows.map((r) => r["trainer/global_step"])).toEqual([7, 7, 7]);
    expect(rows[1]?.samples).toMatchObject({ _type: "table-file" });
  });

  it("summaries: last value, defineMetric aggregates with goal, explicit overrides, custom x-axis series", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.defineMetric("val/acc", { summary: "max,best,mean", goal: "maximize" });
    run.defineMetric("loss", { summary: "min" });
    for (const [acc, loss] of [
      [0.5, 3],
      [0.9, 1],
      [0.7, 2],
    ] as const)
      run.log({ "val/acc": acc, loss, epoch: acc * 10 });
    run.summary.set("note", "best run");
    run.summary.custom = 5;
    expect(run.summary.get("val/acc")).toMatchObject({ max: 0.9, best: 0.9 });
    await run.finish();
    const { Api } = await import("../api/api.js");
    const api = new Api({ dir: root });
    const stored = await api.run(run.path);
    expect(stored.summary["val/acc"]).toMatchObject({ max: 0.9, best: 0.9 });
    expect(stored.summary.loss).toEqual({ min: 1 });
    expect(stored.summary.note).toBe("best run");
    expect(stored.summary.custom).toBe(5);
    expect(stored.summary._step).toBe(2);
    expect(stored.metrics.map((m) => m.name).sort()).toEqual(["loss", "val/acc"]);
    const byEpoch = await stored.series("loss", { xAxis: "epoch", buckets: 10 });
    expect(byEpoch.x).toEqual([5, 7, 9]);
    expect(byEpoch.last).toEqual([3, 2, 1]);
    api.close();
  });

  it("after finish every Run member of the contract throws RUN_FINISHED and nothing changes", async () => {
    const root = tempRoot();
    const file = join(root, "weights.bin");
    writeFileSync(file, "w");
    const run = await initIn(root);
    run.log({ a: 1 });
    const logged = await run.logArtifact(file, { name: "w", type: "model" });
    await run.finish();
    await run.finish(); // idempotent
    // Every member of run-api.md that acts (methods and setters), in the contract's order.
    const members: Record<string, () => unknown> = {
      log: () => run.log({ a: 2 }),
      defineMetric: () => run.defineMetric("x"),
      alert: () => run.alert({ title: "t", text: "x" }),
      markPreempting: () => run.markPreempting(),
      save: () => run.save(file, { basePath: root }),
      restore: () => run.restore("weights.bin"),
      logCode: () => run.logCode({ root }),
      logArtifact: () => run.logArtifact(file, { name: "late", type: "dataset" }),
      useArtifact: () => run.useArtifact("w:latest"),
      upsertArtifact: () => run.upsertArtifact(file, { name: "late", type: "dataset", distributedId: "d" }),
      finishArtifact: () => run.finishArtifact(file, { name: "late", type: "dataset", distributedId: "d" }),
      linkArtifact: () => run.linkArtifact(logged, "registry/models/late"),
      logModel: () => run.logModel(file),
      useModel: () => run.useModel("w:latest"),
      linkModel: () => run.linkModel(file, "Late"),
      watch: () => run.watch({ kind: "toy" }),
      recordSpan: () => run.recordSpan({ id: "s", traceId: "t", kind: "chain", name: "n", startTime: 1 } as never),
      "set name": () => {
        run.name = "late";
      },
      "set notes": () => {
        run.notes = "late";
      },
      "set tags": () => {
        run.tags = ["late"];
      },
      "config.update": () => run.config.update({ late: 1 }),
      "config.set": () => run.config.set("late", 1),
      "config.setDefaults": () => run.config.setDefaults({ late: 1 }),
      "config.<key> =": () => {
        run.config.late = 1;
      },
      "summary.set": () => run.summary.set("late", 1),
      "summary.update": () => run.summary.update({ late: 1 }),
      "summary.delete": () => run.summary.delete("a"),
      "summary.<key> =": () => {
        run.summary.late = 1;
      },
    };
    // Run methods that do not throw after finish, and why; every other method must be in the table.
    const allowed: Record<string, string> = {
      constructor: "",
      finish: "idempotent (W&B)",
      finishAs: "internal: finish",
      status: "reads the final state",
      display: "shows the finished run's page",
      toHtml: "the finished run's page as HTML (what display shows)",
      unwatch: "removes hooks; finish already did",
      logScalars: "internal: declines (false) so the caller's log throws",
      sealNow: "internal: no-op once closed",
      addFinishHook: "internal: adapters register before finish",
    };
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(run)).filter(
      (name) => typeof Object.getOwnPropertyDescriptor(Object.getPrototypeOf(run), name)?.value === "function",
    );
    expect(methods.filter((name) => !(name in members) && !(name in allowed))).toEqual([]);
    const outcomes: Record<string, string> = {};
    for (const [name, attempt] of Object.entries(members)) {
      outcomes[name] = await Promise.resolve()
        .then(attempt)
        .then(
          () => "no error",
          (error: unknown) => (RunlogError.isInstance(error) ? error.code : `raw ${String(error)}`),
        );
    }
    expect(outcomes).toEqual(Object.fromEntries(Object.keys(members).map((name) => [name, "RUN_FINISHED"])));
    expect(userColumns(await readHistory(root, run.path))).toEqual([{ _step: 0, a: 1 }]);
    expect(run.config.toJSON()).not.toHaveProperty("late");
    expect(run.summary.get("a")).toBe(1);
  });

  it("logScalars (the bridge's hot path) commits a row as log does, and declines rows that need the general path", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const row = (...pairs: [string, number][]) =>
      [pairs.map(([k]) => k), Float64Array.from(pairs.map(([, v]) => v)), pairs.length] as const;
    expect(run.logScalars(...row(["a", 1], ["b", Number.NaN]))).toBe(true);
    expect(run.logScalars(...row(["a", 2], ["b", 3]))).toBe(true);
    for (const declined of [row(), row(["a", 1], ["a", 2]), row(["_step", 9]), row(["", 1]), row(["x".repeat(2000), 1])]) {
      expect(run.logScalars(...declined)).toBe(false);
    }
    run.log({ c: 1 }, { commit: false });
    expect(run.logScalars(...row(["a", 4]))).toBe(false); // a pending row: log() merges into it
    run.log({ a: 4 });
    run.defineMetric("a", { stepMetric: "b" });
    expect(run.logScalars(...row(["a", 5], ["b", 5]))).toBe(false); // step metrics: log() syncs them
    expect(run.step).toBe(3);
    expect(run.summary.get("a")).toBe(4);
    await run.finish();
    expect(run.logScalars(...row(["a", 6]))).toBe(false);
    expect(userColumns(await readHistory(root, run.path))).toEqual([
      { _step: 0, a: 1, b: Number.NaN },
      { _step: 1, a: 2, b: 3 },
      { _step: 2, a: 4, c: 1 },
    ]);
  });
});
