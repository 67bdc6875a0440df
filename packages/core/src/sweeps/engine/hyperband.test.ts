import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test-support/seeded-random.js";
import { askWandbSweeps } from "../../test-support/sweeps/oracle.js";
import { parseSweepConfig, runsToStop, type TrialState, type TrialView } from "./index.js";

const STATES: TrialState[] = ["running", "running", "running", "finished", "failed"];

/** Recorded-style histories: noisy decaying losses of different lengths and states; every third overfits (U-shaped). */
function recordedTrials(seed: number): TrialView[] {
  const random = seededRandom(seed);
  return Array.from({ length: 30 }, (_, i) => {
    const start = 1 + random() * 2;
    const rate = 0.02 + random() * 0.3;
    const length = Math.floor(random() * 40);
    const metricHistory = Array.from({ length }, (_, step) =>
      Number((start * Math.exp(-rate * step) + (i % 3 === 0 ? 0.08 * step : 0) + random() * 0.1).toFixed(6)),
    );
    return { runId: `t${i}`, state: STATES[i % STATES.length] as TrialState, params: {}, metricHistory };
  });
}

/** W&B's own docstring example plus two trials where the strict and the conservative rule disagree. */
const DOCSTRING_TRIALS: TrialView[] = [
  { runId: "a", state: "finished", params: {}, metricHistory: [10, 9] },
  { runId: "b", state: "running", params: {}, metricHistory: [10, 10] },
  { runId: "c", state: "running", params: {}, metricHistory: [10, 8, 8] },
  { runId: "d", state: "running", params: {}, metricHistory: [10, 7, 7] },
  { runId: "e", state: "finished", params: {}, metricHistory: [10, 6, 6] },
  { runId: "f", state: "running", params: {}, metricHistory: [5, 9.5] },
  { runId: "g", state: "running", params: {}, metricHistory: [10, 4, 12] },
];

const EARLY_TERMINATE: Record<string, unknown>[] = [
  { type: "hyperband", min_iter: 3 },
  { type: "hyperband", min_iter: 2, eta: 2, strict: false },
  { type: "hyperband", max_iter: 27, s: 3 },
  { type: "hyperband", max_iter: 40, s: 2, eta: 2.5 },
];

describe("hyperband runsToStop (W&B's sweeps engine as oracle)", () => {
  it("stops the same trials as W&B on recorded histories, for min_iter and max_iter + s, both goals", () => {
    const cases = EARLY_TERMINATE.flatMap((early_terminate, i) =>
      (["minimize", "maximize"] as const).map((goal, j) => ({
        config: { method: "random", metric: { name: "loss", goal }, early_terminate, parameters: { a: { values: [1] } } },
        trials: recordedTrials(10 * i + j),
      })),
    );
    for (const strict of [undefined, false]) {
      cases.push({
        config: {
          method: "random",
          metric: { name: "loss", goal: "minimize" },
          early_terminate: { type: "hyperband", max_iter: 5, eta: 2, s: 2, ...(strict === undefined ? {} : { strict }) },
          parameters: { a: { values: [1] } },
        },
        trials: DOCSTRING_TRIALS,
      });
    }
    const wandb = askWandbSweeps<string[][]>({ op: "batch", requests: cases.map((c) => ({ op: "stop", ...c })) });
    const stopped = cases.map(({ config, trials }) => runsToStop(parseSweepConfig(config), trials));
    expect(stopped).toEqual(wandb);
    // strict (the default) stops f on its value at the band; the conservative rule lets it go.
    expect(stopped.slice(-2)).toEqual([["b", "f"], ["b"]]);
    // The corpus exercises real decisions, not only "stop nothing".
    expect(stopped.flat().length).toBeGreaterThan(20);
    expect(stopped.every((ids, k) => ids.length < (cases[k]?.trials.length ?? 0))).toBe(true);
  });

  it("only stops running trials, and none without early_terminate", () => {
    const trials = recordedTrials(3);
    const config = parseSweepConfig({
      method: "random",
      metric: { name: "loss" },
      early_terminate: { type: "hyperband", min_iter: 1 },
      parameters: { a: { value: 1 } },
    });
    const running = new Set(trials.filter((t) => t.state === "running").map((t) => t.runId));
    expect(runsToStop(config, trials).every((id) => running.has(id))).toBe(true);
    expect(runsToStop(parseSweepConfig({ method: "random", parameters: { a: { value: 1 } } }), trials)).toEqual([]);
  });
});
