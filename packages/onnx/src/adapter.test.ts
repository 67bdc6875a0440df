import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, init, type Run, RunlogError } from "@runlog/core";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchmark, createSession, evaluate, instrument, logOnnxModel, profile, sessionInfo, syntheticFeeds } from "./index.js";
import { readOnnxFile, summarizeModel } from "./model-file.js";
import { type Fixtures, makeFixtures } from "./test-support/fixtures.js";

// Real onnxruntime-node sessions on real models (built by python3-onnx), logged into a real store.
const QUIET = { quiet: true, console: "off", disableStats: true } as const;
let fx: Fixtures;
let root: string;

beforeAll(() => {
  fx = makeFixtures();
  root = mkdtempSync(join(tmpdir(), "runlog-onnx-"));
  process.env.RUNLOG_ARTIFACT_DIR = join(root, "downloads");
  process.env.RUNLOG_DIR = root; // where benchmark() makes its own run
});
afterAll(() => {
  rmSync(fx.dir, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

const newRun = (name: string): Promise<Run> =>
  init({ dir: root, project: "onnx", entity: "tester", name, reinit: "create_new", settings: QUIET });

async function rowsOf(run: Run) {
  const api = new Api({ dir: root });
  try {
    const rows = [];
    for await (const row of (await api.run(run.path)).scanHistory()) rows.push(row);
    return { rows, summary: (await api.run(run.path)).summary, files: await (await api.run(run.path)).files() };
  } finally {
    api.close();
  }
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RunlogError.isInstance(error), String(error)).toBe(true);
  expect((error as RunlogError).code).toBe(code);
}

describe("createSession", () => {
  it("falls back from a provider that cannot load to the next one, and says which one runs", async () => {
    const session = await createSession(fx.mlp, { executionProviders: ["cuda", "cpu"] });
    const info = sessionInfo(session);
    expect(info?.provider).toBe("cpu");
    expect(info?.fallbacks.map((f) => f.provider)).toEqual(["cuda"]);
    expect(info?.fallbacks[0]?.error).toMatch(/cuda/i);
    await session.release();
    await expectCode(createSession(fx.mlp, { executionProviders: ["cuda"] }), "PROVIDER_UNAVAILABLE");
    await expectCode(createSession(join(fx.dir, "missing.onnx")), "INVALID_ARGUMENT");
    await expectCode(createSession(fx.mlp, { executionProviders: [] }), "INVALID_ARGUMENT");
  });
});

describe("logOnnxModel", () => {
  it("logs the file and its external data with the parsed graph as metadata; useModel gives back a runnable model", async () => {
    const run = await newRun("export");
    const artifact = await logOnnxModel(run, fx.external, { name: "mlp-ext", aliases: ["best"], metadata: { dataset: "mnist" } });
    const expected = summarizeModel(readOnnxFile(fx.external).model);
    expect(artifact.metadata).toEqual({ ...expected, dataset: "mnist" });
    expect(Object.keys(artifact.manifest.contents)).toEqual(["model.onnx", "model.onnx.data"]);
    await run.finish();

    const consumer = await newRun("consume");
    const dir = await consumer.useModel("mlp-ext:best");
    const session = await createSession(join(dir, "model.onnx"));
    const out = await session.run(await syntheticFeeds(expected.inputs, 3));
    expect(out.probs?.dims).toEqual([3, 10]);
    await session.release();
    await consumer.finish();
    await expectCode(logOnnxModel(consumer, fx.mlp), "RUN_FINISHED");
    const other = await newRun("bad-input");
    await expectCode(logOnnxModel(other, join(fx.dir, "nope.onnx")), "INVALID_ARGUMENT");
    await expectCode(logOnnxModel(other, fx.mlp, { metadata: [] as unknown as Record<string, unknown> }), "INVALID_ARGUMENT");
    await other.finish();
  });
});

describe("instrument", () => {
  it("logs latency percentiles and throughput per window, shapes and provider in the summary, and counts errors", async () => {
    const run = await newRun("serve");
    const session = instrument(await createSession(fx.mlp, { executionProviders: ["cuda", "cpu"] }), run, { logEvery: 100 });
    expect(session.inputNames).toEqual(["input"]);
    const feeds = await syntheticFeeds(readOnnxFile(fx.mlp).model.inputs, 4);
    for (let i = 0; i < 250; i++) expect((await session.run(feeds)).logits?.dims).toEqual([4, 10]);
    await expect(session.run({ input: new ort.Tensor("float32", new Float32Array(10), [1, 10]) })).rejects.toThrow(/dimensions/);
    session.flush();
    await run.finish();
    const { rows, summary } = await rowsOf(run);
    const windows = rows.filter((row) => "onnx/latency_p50_ms" in row);
    expect(windows.map((row) => row["onnx/calls"])).toEqual([100, 200, 251]);
    for (const row of windows) {
      expect(row["onnx/latency_p50_ms"]).toBeGreaterThan(0);
      expect(row["onnx/latency_p99_ms"]).toBeGreaterThanOrEqual(row["onnx/latency_p50_ms"] as number);
      expect(row["onnx/throughput"]).toBeGreaterThan(0);
    }
    expect(windows.at(-1)?.["onnx/errors"]).toBe(1);
    expect(summary["onnx/provider"]).toBe("cpu");
    expect(summary["onnx/provider_fallbacks"]).toMatchObject([{ provider: "cuda" }]);
    expect(summary["onnx/input_shapes"]).toEqual({ input: [4, 784] });
    expect(summary["onnx/output_shapes"]).toEqual({ logits: [4, 10], probs: [4, 10] });
    expect(summary["onnx/last_error"]).toMatch(/dimensions/);
    expect(() => instrument({} as never, run)).toThrow(RunlogError);
  });
});

describe("benchmark", () => {
  it("times every provider × threads × batch configuration into a Table and puts the fastest in the summary", async () => {
    const { run, rows, best } = await benchmark(fx.mlp, {
      batchSizes: [1, 16],
      threads: [1, 2],
      warmup: 2,
      iterations: 10,
      project: "onnx-bench",
    });
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => [r.threads, r.batchSize])).toEqual([
      [1, 1],
      [1, 16],
      [2, 1],
      [2, 16],
    ]);
    for (const row of rows) {
      expect(row.p50Ms).toBeLessThanOrEqual(row.p99Ms);
      expect(row.samplesPerSecond).toBeGreaterThan(0);
      expect(row.providerUsed).toBe("cpu");
    }
    expect(best.samplesPerSecond).toBe(Math.max(...rows.map((r) => r.samplesPerSecond)));
    const stored = await rowsOf(run); // the run it made itself, in RUNLOG_DIR
    expect(stored.summary["best/samples_per_s"]).toBe(best.samplesPerSecond);
    expect(stored.rows.some((row) => (row.benchmark as { _type?: string } | undefined)?._type === "table-file")).toBe(true);
    await expectCode(benchmark(fx.mlp, { batchSizes: [] }), "INVALID_ARGUMENT");
    await expectCode(benchmark(fx.mlp, { iterations: 0 }), "INVALID_ARGUMENT");
  });
});

describe("profile", () => {
  it("aggregates kernel time per op after fusion, without warm-up, and saves the trace with the run", async () => {
    const run = await newRun("profile");
    const result = await profile(fx.mlp, { runs: 5, warmup: 2, batchSize: 8, run });
    expect(result.runs).toBe(5);
    expect(result.ops.map((o) => o.op)).toContain("Softmax");
    expect(result.ops.every((o) => o.calls % 5 === 0)).toBe(true); // 5 timed runs, each op a whole number of times per run
    expect(result.kernelMs).toBeLessThanOrEqual(result.totalMs);
    // Kernel time's share of the wall time depends on the machine's load: only its sign is asserted.
    expect(result.kernelMs).toBeGreaterThan(0);
    expect(result.ops.reduce((sum, o) => sum + o.share, 0)).toBeCloseTo(1, 5);
    expect(existsSync(result.traceFile)).toBe(false); // the temporary copy is gone…
    await run.finish();
    const { files, summary } = await rowsOf(run);
    expect(files.some((f) => /^profile.*\.json$/.test(f.path))).toBe(true); // …and the run keeps it
    expect(summary["profile/total_ms"]).toBeCloseTo(result.totalMs);
    const session = await createSession(fx.mlp);
    expect((await profile(session, { runs: 2 })).runs).toBe(2);
    await session.release();
    await expectCode(profile({}, { runs: 2 }), "INVALID_ARGUMENT");
    await expectCode(profile(fx.mlp, { runs: 0 }), "INVALID_ARGUMENT");
  });
});

describe("evaluate", () => {
  it("computes accuracy against labels and the difference from a reference session or stored outputs", async () => {
    const session = await createSession(fx.mlp);
    const inputs = readOnnxFile(fx.mlp).model.inputs;
    const batches = [];
    for (let i = 0; i < 3; i++) {
      const feeds = await syntheticFeeds(inputs, 5);
      const logits = (await session.run(feeds)).logits?.data as Float32Array;
      const labels = Array.from({ length: 5 }, (_, s) => {
        const row = Array.from(logits.subarray(s * 10, s * 10 + 10));
        return s < 3 ? row.indexOf(Math.max(...row)) : (row.indexOf(Math.max(...row)) + 1) % 10; // 3 of 5 right
      });
      batches.push({ feeds, labels, logits: Float32Array.from(logits) });
    }
    const run = await newRun("eval");
    const same = await evaluate(session, batches, { output: "logits", reference: session, run });
    expect(same).toMatchObject({ samples: 15, accuracy: 0.6, maxAbsDiff: 0, meanAbsDiff: 0, top1Agreement: 1 });
    expect(same.cosine).toBeCloseTo(1, 6);
    const shifted = batches.map((b) => b.logits.map((v, i) => (i === 0 ? v + 0.25 : v)));
    const against = await evaluate(session, batches, { output: "logits", reference: shifted });
    expect(against.maxAbsDiff).toBeCloseTo(0.25, 5);
    expect(against.meanAbsDiff).toBeCloseTo((0.25 * 3) / 150, 5);
    await run.finish();
    const { summary } = await rowsOf(run);
    expect(summary["eval/accuracy"]).toBe(0.6);
    expect(summary["eval/top1_agreement"]).toBe(1);
    await expectCode(evaluate(session, batches, { output: "nope" }), "INVALID_ARGUMENT");
    await expectCode(evaluate(session, [{ feeds: batches[0]?.feeds as never, labels: [1] }]), "INVALID_ARGUMENT");
    await expectCode(evaluate(session, batches, { reference: [new Float32Array(3)] }), "INVALID_ARGUMENT");
    await expectCode(evaluate(session, batches, { metrics: ["f1" as "accuracy"] }), "INVALID_ARGUMENT");
    await expectCode(evaluate(session, [null as never]), "INVALID_ARGUMENT");
    await session.release();
  });
});

describe("run.watch", () => {
  it("logs every initializer once as a parameters/<name> histogram, from a path or a session", async () => {
    const run = await newRun("watch");
    run.watch(fx.external);
    run.log({ loss: 1 });
    const session = await createSession(fx.mlp);
    run.unwatch();
    run.watch(session, { filter: ["fc2.weight"] });
    run.log({ loss: 0.5 });
    await session.release();
    await run.finish();
    const { rows } = await rowsOf(run);
    expect(
      Object.keys(rows[0] ?? {})
        .filter((k) => k.startsWith("parameters/"))
        .sort(),
    ).toEqual(["parameters/fc1.bias", "parameters/fc1.weight", "parameters/fc2.bias", "parameters/fc2.weight"]);
    expect(Object.keys(rows[1] ?? {}).filter((k) => k.startsWith("parameters/"))).toEqual(["parameters/fc2.weight"]);
    const histogram = rows[0]?.["parameters/fc1.weight"] as { _type: string; values: number[] };
    expect(histogram._type).toBe("histogram");
    expect(histogram.values.reduce((a, b) => a + b, 0)).toBe(784 * 128);
  });
});
