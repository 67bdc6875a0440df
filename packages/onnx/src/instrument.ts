import { describeValue, type Run, RunlogError } from "@runlog/core";
import { sessionInfo } from "./create-session.js";
import { type InferenceSessionLike, isInferenceSession } from "./session.js";

export interface InstrumentOptions {
  /** Calls per logged window (default 100). */
  readonly logEvery?: number;
  /** Metric prefix (default "onnx"). */
  readonly prefix?: string;
}

export type InstrumentedSession<S extends InferenceSessionLike> = S & {
  /** Logs the calls made since the last window (call before finishing the run). */
  flush(): void;
};

type Dims = { readonly dims?: readonly number[] };

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/**
 * Wraps a session so every `run()` is timed. Per window of `logEvery` calls it logs latency
 * p50/p90/p99/max (ms), throughput (samples/s from the batch dimension of the first input, over
 * time spent in run()) and errors, against the `<prefix>/calls` step metric. The first call's
 * input/output shapes and the provider in use go to the summary. The wrapper inherits everything
 * else from the session, so it is a drop-in replacement; the hot path is two clock reads and a store.
 */
export function instrument<S extends InferenceSessionLike>(session: S, run: Run, options: InstrumentOptions = {}): InstrumentedSession<S> {
  if (!isInferenceSession(session))
    throw new RunlogError("INVALID_ARGUMENT", `instrument needs an onnxruntime InferenceSession, got ${describeValue(session)}.`);
  const logEvery = options.logEvery ?? 100;
  if (!Number.isInteger(logEvery) || logEvery < 1 || logEvery > 1_000_000) {
    throw new RunlogError("INVALID_ARGUMENT", `logEvery must be an integer from 1 to 1000000, got ${describeValue(logEvery)}.`);
  }
  const prefix = options.prefix ?? "onnx";
  const firstInput = session.inputNames[0];
  const window = new Float64Array(logEvery);
  let inWindow = 0;
  let samples = 0;
  let errors = 0;
  let calls = 0;
  let described = false;
  run.defineMetric(`${prefix}/*`, { stepMetric: `${prefix}/calls` });
  const info = sessionInfo(session);
  run.summary.update({
    [`${prefix}/provider`]: info?.provider ?? "unknown (create the session with createSession to record it)",
    ...(info && info.fallbacks.length > 0 ? { [`${prefix}/provider_fallbacks`]: info.fallbacks } : {}),
  });

  const flush = () => {
    if (inWindow === 0 && errors === 0) return;
    const sorted = window.slice(0, inWindow).sort();
    let total = 0;
    for (const ms of sorted) total += ms;
    run.log({
      [`${prefix}/calls`]: calls,
      ...(inWindow > 0
        ? {
            [`${prefix}/latency_p50_ms`]: percentile(sorted, 0.5),
            [`${prefix}/latency_p90_ms`]: percentile(sorted, 0.9),
            [`${prefix}/latency_p99_ms`]: percentile(sorted, 0.99),
            [`${prefix}/latency_max_ms`]: sorted[sorted.length - 1] as number,
            [`${prefix}/throughput`]: total > 0 ? samples / (total / 1000) : 0,
          }
        : {}),
      [`${prefix}/errors`]: errors,
    });
    inWindow = 0;
    samples = 0;
  };

  const describe = (feeds: Record<string, unknown>, outputs: Record<string, unknown>) => {
    described = true;
    const shapes = (tensors: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, [...((t as Dims)?.dims ?? [])]]));
    run.summary.update({ [`${prefix}/input_shapes`]: shapes(feeds), [`${prefix}/output_shapes`]: shapes(outputs) });
  };

  const instrumented = Object.create(session) as InstrumentedSession<S>;
  Object.defineProperty(instrumented, "flush", { value: flush });
  Object.defineProperty(instrumented, "run", {
    value: async function timedRun(feeds: Record<string, unknown>, ...rest: unknown[]) {
      const started = performance.now();
      let outputs: Record<string, unknown>;
      try {
        outputs = await (session.run as (...args: unknown[]) => Promise<Record<string, unknown>>).call(session, feeds, ...rest);
      } catch (error) {
        errors++;
        calls++;
        runSummaryError(error);
        throw error;
      }
      window[inWindow++] = performance.now() - started;
      calls++;
      samples += (feeds[firstInput as string] as Dims | undefined)?.dims?.[0] ?? 1;
      if (!described) describe(feeds, outputs);
      if (inWindow === logEvery) flush();
      return outputs;
    },
  });
  const runSummaryError = (error: unknown) =>
    run.summary.set(`${prefix}/last_error`, String((error as Error)?.message ?? error).slice(0, 500));
  return instrumented;
}
