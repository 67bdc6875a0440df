import { availableParallelism } from "node:os";
import { describeValue, init, type Run, RunlogError, Table } from "@runlog/core";
import { createSession, sessionInfo } from "./create-session.js";
import { syntheticFeeds } from "./feeds.js";
import { readOnnxFile } from "./model-file.js";

export interface BenchmarkOptions {
  readonly batchSizes?: readonly number[];
  /** Provider lists to compare, e.g. `["cpu", ["cuda", "cpu"]]` (a list falls back in order). Default `["cpu"]`. */
  readonly providers?: readonly (string | readonly string[])[];
  /** intraOpNumThreads values to compare (0 = onnxruntime's default). Default `[0]`. */
  readonly threads?: readonly number[];
  readonly warmup?: number;
  readonly iterations?: number;
  /** Sizes of symbolic dims other than the batch, by name. */
  readonly dims?: Record<string, number>;
  /** Log into this run; otherwise a new run in `project` (default "onnx-benchmark") is made and finished. */
  readonly run?: Run;
  readonly project?: string;
}

export interface BenchmarkRow {
  readonly provider: string;
  readonly providerUsed: string;
  readonly threads: number;
  readonly batchSize: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly samplesPerSecond: number;
}

const COLUMNS = ["provider", "provider_used", "threads", "batch_size", "p50_ms", "p90_ms", "p99_ms", "mean_ms", "max_ms", "samples_per_s"];

function positiveIntegers(name: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 0 && v <= 1_000_000)) {
    throw new RunlogError("INVALID_ARGUMENT", `${name} must be a non-empty list of whole numbers, got ${describeValue(values)}.`);
  }
}

/**
 * Times a model over every provider × threads × batch size: warm-up runs excluded, then
 * `iterations` timed runs on synthetic inputs built from the model's signature. One Table row per
 * configuration; the fastest (samples/s) goes to the summary as `best/*`.
 */
export async function benchmark(
  modelPath: string,
  options: BenchmarkOptions = {},
): Promise<{ run: Run; rows: BenchmarkRow[]; best: BenchmarkRow }> {
  const { model, path } = readOnnxFile(modelPath);
  const batchSizes = options.batchSizes ?? [1, 32];
  const threads = options.threads ?? [0];
  const warmup = options.warmup ?? 10;
  const iterations = options.iterations ?? 100;
  positiveIntegers("batchSizes", batchSizes);
  positiveIntegers("threads", threads);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new RunlogError("INVALID_ARGUMENT", `iterations must be at least 1, got ${describeValue(iterations)}.`);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new RunlogError("INVALID_ARGUMENT", `warmup must be 0 or more, got ${describeValue(warmup)}.`);
  const run =
    options.run ??
    (await init({
      project: options.project ?? "onnx-benchmark",
      jobType: "benchmark",
      config: { model: path, batchSizes, threads, warmup, iterations, cpus: availableParallelism() },
    }));
  const rows: BenchmarkRow[] = [];
  for (const providers of options.providers ?? ["cpu"]) {
    const list = typeof providers === "string" ? [providers] : [...providers];
    for (const threadCount of threads) {
      const session = await createSession(path, {
        executionProviders: list,
        intraOpNumThreads: threadCount,
        graphOptimizationLevel: "all",
      });
      try {
        for (const batchSize of batchSizes) {
          const feeds = await syntheticFeeds(model.inputs, batchSize, options.dims);
          for (let i = 0; i < warmup; i++) await session.run(feeds);
          const times = new Float64Array(iterations);
          for (let i = 0; i < iterations; i++) {
            const started = performance.now();
            await session.run(feeds);
            times[i] = performance.now() - started;
          }
          times.sort();
          const total = times.reduce((sum, t) => sum + t, 0);
          rows.push({
            provider: list.join(">"),
            providerUsed: sessionInfo(session)?.provider ?? "unknown",
            threads: threadCount,
            batchSize,
            p50Ms: times[Math.floor(iterations * 0.5)] as number,
            p90Ms: times[Math.min(iterations - 1, Math.floor(iterations * 0.9))] as number,
            p99Ms: times[Math.min(iterations - 1, Math.floor(iterations * 0.99))] as number,
            meanMs: total / iterations,
            maxMs: times[iterations - 1] as number,
            samplesPerSecond: (batchSize * iterations) / (total / 1000),
          });
        }
      } finally {
        await session.release();
      }
    }
  }
  const best = rows.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a));
  run.log({
    benchmark: new Table({
      columns: COLUMNS,
      data: rows.map((r) => [
        r.provider,
        r.providerUsed,
        r.threads,
        r.batchSize,
        r.p50Ms,
        r.p90Ms,
        r.p99Ms,
        r.meanMs,
        r.maxMs,
        r.samplesPerSecond,
      ]),
    }),
  });
  run.summary.update({
    "best/provider": best.providerUsed,
    "best/threads": best.threads,
    "best/batch_size": best.batchSize,
    "best/samples_per_s": best.samplesPerSecond,
    "best/p50_ms": best.p50Ms,
  });
  if (options.run === undefined) await run.finish();
  return { run, rows, best };
}
