import type { Run, TokenUsage } from "@runlog/core";

/** What one trace rolls up to when its root span ends. */
export interface TraceTotals {
  spans: number;
  llmCalls: number;
  errors: number;
  tokens: TokenUsage | undefined;
}

/**
 * Per-run totals for the summary (traces/*), shared by every tracer on the run (auto-attach makes
 * one per call). trace/* in the summary hold the last trace, as for any logged key. Totals are
 * written at most once a second and at finish, so many tiny calls do not pay a summary update each.
 */
interface RunTotals {
  readonly sums: Record<keyof typeof TOTAL_KEYS, number>;
  written: number;
  writtenAt: number;
}

const TOTAL_KEYS = {
  count: "traces/count",
  errors: "traces/errors",
  llmCalls: "traces/llm_calls",
  inputTokens: "traces/input_tokens",
  outputTokens: "traces/output_tokens",
  totalTokens: "traces/total_tokens",
} as const;
const runTotals = new WeakMap<Run, RunTotals>();
const hookedRuns = new WeakSet<Run>();

function totalsOf(run: Run): RunTotals {
  let state = runTotals.get(run);
  if (state === undefined) {
    // A resumed run continues from the totals it already has.
    const start = (key: string) => {
      const value = run.summary.get(key);
      return typeof value === "number" ? value : 0;
    };
    const sums = Object.fromEntries(Object.entries(TOTAL_KEYS).map(([field, key]) => [field, start(key)])) as RunTotals["sums"];
    state = { sums, written: sums.count, writtenAt: 0 };
    runTotals.set(run, state);
  }
  return state;
}

function writeTotals(run: Run): void {
  const state = totalsOf(run);
  if (state.sums.count === state.written) return;
  state.written = state.sums.count;
  state.writtenAt = Date.now();
  try {
    run.summary.update(
      Object.fromEntries(Object.entries(TOTAL_KEYS).map(([field, key]) => [key, state.sums[field as keyof typeof TOTAL_KEYS]])),
    );
  } catch {
    // the run closed meanwhile: the totals stay in memory only
  }
}

export function addToTotals(run: Run, trace: TraceTotals): void {
  const { sums, writtenAt } = totalsOf(run);
  sums.count++;
  sums.errors += trace.errors;
  sums.llmCalls += trace.llmCalls;
  sums.inputTokens += trace.tokens?.input ?? 0;
  sums.outputTokens += trace.tokens?.output ?? 0;
  sums.totalTokens += trace.tokens?.total ?? 0;
  if (Date.now() - writtenAt >= 1000) writeTotals(run);
}

/** Once per run: finish() first waits for LangChain's pending callbacks, then writes the totals. */
export function hookFinish(run: Run, flushCallbacks: () => Promise<unknown>): void {
  if (hookedRuns.has(run)) return;
  hookedRuns.add(run);
  run.addFinishHook(async () => {
    await flushCallbacks();
    writeTotals(run);
  });
}
