import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test-support/seeded-random.js";
import { askWandbSweeps } from "../../test-support/sweeps/oracle.js";
import { parseSweepConfig, runsToStop, type TrialState, type TrialView } from "./index.js";

const STATES: TrialState[] = ["running", "running", "running", "finished", "failed"];

/** Recorded-style histories: noisy decaying losses of different lengths and states. */
function recordedTrials(seed: number): TrialView[] {
  const random = seededRandom(seed);
  return Array.from({ length: 30 }, (_, i) => {
    const start = 1 + random() * 2;
    const rate = 0.02 + random() * 0.3;
    const length = Math.floor(random() * 40);
    const metricHistory = Array.from({ length }, (_, step) => Number((start * Math.exp(-rate * step) + random() * 0.1).toFixed(6)));
    return { runId: `t${i}`, state: STATES[i % STATES.length] as TrialState, params: {}, metricHistory };
  });
}

const EARLY_TERMINATE = [
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
    const wandb = askWandbSweeps<string[][]>({ op: "batch", requests: cases.map((c) => ({ op: "stop", ...c })) });
    const stopped = cases.map(({ config, trials }) => runsToStop(parseSweepConfig(config), trials));
    expect(stopped).toEqual(wandb);
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
