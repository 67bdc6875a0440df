import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeValue, type Run, RunlogError, Table } from "@runlog/core";
import type { Tensor } from "onnxruntime-node";
import { type CreateSessionOptions, createSession, sessionInfo } from "./create-session.js";
import { syntheticFeeds } from "./feeds.js";
import { readOnnxFile } from "./model-file.js";

export interface ProfileOptions {
  /** Timed runs after warm-up (default 10). */
  readonly runs?: number;
  /** Runs whose events are dropped (default 1: the first run allocates and is not typical). */
  readonly warmup?: number;
  readonly batchSize?: number;
  readonly feeds?: Record<string, Tensor>;
  readonly sessionOptions?: CreateSessionOptions;
  /** Log the op table, totals and the trace file into this run. */
  readonly run?: Run;
}

export interface OpProfile {
  readonly op: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  /** Share of all kernel time. */
  readonly share: number;
}

export interface ProfileResult {
  readonly ops: OpProfile[];
  /** Wall time of the timed runs (sum of `model_run` events). */
  readonly totalMs: number;
  /** Sum of the kernel times in `ops` (≤ totalMs: the rest is scheduling and copies). */
  readonly kernelMs: number;
  readonly runs: number;
  /** The Chrome-trace JSON onnxruntime wrote (open it in Perfetto); with `run`, saved as one of its files (the temporary copy is removed). */
  readonly traceFile: string;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string };
}

/**
 * Per-op time after graph fusion, from onnxruntime's own profiler: a profiling session writes a
 * Chrome trace whose name onnxruntime-node does not return, so it is made in a private folder and
 * found there. Events of the warm-up runs are dropped.
 */
export async function profile(target: unknown, options: ProfileOptions = {}): Promise<ProfileResult> {
  const modelPath = typeof target === "string" ? target : sessionInfo(target)?.modelPath;
  if (modelPath === undefined) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `profile needs a model path or a session made by createSession (profiling must be on when a session is created), got ${describeValue(target)}.`,
    );
  }
  const runs = options.runs ?? 10;
  const warmup = options.warmup ?? 1;
  if (!Number.isInteger(runs) || runs < 1 || runs > 100_000)
    throw new RunlogError("INVALID_ARGUMENT", `runs must be from 1 to 100000, got ${describeValue(runs)}.`);
  if (!Number.isInteger(warmup) || warmup < 0)
    throw new RunlogError("INVALID_ARGUMENT", `warmup must be 0 or more, got ${describeValue(warmup)}.`);
  const { model, path } = readOnnxFile(modelPath);
  const folder = mkdtempSync(join(tmpdir(), "runlog-onnx-profile-"));
  try {
    const session = await createSession(path, {
      ...(sessionInfo(target)?.options ?? {}),
      ...options.sessionOptions,
      enableProfiling: true,
      profileFilePrefix: join(folder, "profile"),
    });
    const feeds = options.feeds ?? (await syntheticFeeds(model.inputs, options.batchSize ?? 1));
    for (let i = 0; i < warmup + runs; i++) await session.run(feeds);
    session.endProfiling();
    await session.release();
    const traces = readdirSync(folder).filter((name) => name.endsWith(".json"));
    if (traces.length === 0) throw new RunlogError("STORE_ERROR", `onnxruntime wrote no profile into ${folder}.`);
    const newest = traces.map((name) => join(folder, name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0] as string;
    const events = JSON.parse(readFileSync(newest, "utf8")) as TraceEvent[];
    const result = summarizeTrace(events, warmup, newest);
    if (options.run) await logProfile(options.run, result, folder);
    return result;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Aggregates kernel events by op over the runs after `warmup`. Exported for tests on recorded traces. */
export function summarizeTrace(events: readonly TraceEvent[], warmup: number, traceFile: string): ProfileResult {
  const modelRuns = events
    .filter((e) => e.name === "model_run" && typeof e.ts === "number")
    .sort((a, b) => (a.ts as number) - (b.ts as number));
  const timed = modelRuns.slice(warmup);
  if (timed.length === 0)
    throw new RunlogError("INVALID_ARGUMENT", `The trace holds ${modelRuns.length} runs, none after the ${warmup} warm-up runs.`);
  const from = timed[0]?.ts as number;
  const byOp = new Map<string, { calls: number; us: number }>();
  for (const event of events) {
    if (event.cat !== "Node" || !event.name?.endsWith("_kernel_time") || (event.ts ?? 0) < from) continue;
    const op = event.args?.op_name ?? "unknown";
    const entry = byOp.get(op) ?? { calls: 0, us: 0 };
    entry.calls++;
    entry.us += event.dur ?? 0;
    byOp.set(op, entry);
  }
  const kernelUs = [...byOp.values()].reduce((sum, e) => sum + e.us, 0);
  const totalUs = timed.reduce((sum, e) => sum + (e.dur ?? 0), 0);
  const ops = [...byOp]
    .map(([op, e]) => ({
      op,
      calls: e.calls,
      totalMs: e.us / 1000,
      meanMs: e.us / 1000 / e.calls,
      share: kernelUs > 0 ? e.us / kernelUs : 0,
    }))
    .sort((a, b) => b.totalMs - a.totalMs);
  return { ops, totalMs: totalUs / 1000, kernelMs: kernelUs / 1000, runs: timed.length, traceFile };
}

async function logProfile(run: Run, result: ProfileResult, folder: string): Promise<void> {
  run.log({
    "profile/ops": new Table({
      columns: ["op", "calls", "total_ms", "mean_ms", "share"],
      data: result.ops.map((o) => [o.op, o.calls, o.totalMs, o.meanMs, o.share]),
    }),
  });
  run.summary.update({
    "profile/total_ms": result.totalMs,
    "profile/kernel_ms": result.kernelMs,
    "profile/per_run_ms": result.totalMs / result.runs,
    "profile/runs": result.runs,
  });
  await run.save(result.traceFile, { basePath: folder, policy: "now" }); // copied into the run's files
}
