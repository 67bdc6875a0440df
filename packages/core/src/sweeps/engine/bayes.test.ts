import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test-support/seeded-random.js";
import { parseSweepConfig, proposeNext, type SweepConfig, type TrialView } from "./index.js";

/** Branin on x ∈ [-5, 10], y ∈ [0, 15]; its minimum is 0.397887. */
function branin(x: number, y: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
}

const BUDGET = 30;

function bestAfterBudget(config: SweepConfig, seed: number): number {
  const random = seededRandom(seed);
  const trials: TrialView[] = [];
  for (let i = 0; i < BUDGET; i++) {
    const next = proposeNext(config, trials, random);
    if (!("params" in next)) throw new Error(`sweep ended early: ${next.reason}`);
    const { x, y } = next.params as { x: number; y: number };
    trials.push({ runId: `t${i}`, state: "finished", params: next.params, metricHistory: [branin(x, y)] });
  }
  return Math.min(...trials.map((t) => t.metricHistory[0] as number));
}

const parameters = { x: { min: -5.0, max: 10.0 }, y: { min: 0.5, max: 15.0 } };

describe("bayes", () => {
  it("beats random search on Branin at the same budget in most of 20 seeded trials", { timeout: 300_000 }, () => {
    const bayes = parseSweepConfig({ method: "bayes", metric: { name: "branin", goal: "minimize" }, parameters });
    const random = parseSweepConfig({ method: "random", parameters });
    let wins = 0;
    for (let seed = 1; seed <= 20; seed++) if (bestAfterBudget(bayes, seed) < bestAfterBudget(random, seed)) wins++;
    expect(wins).toBeGreaterThanOrEqual(15);
  });

  it("maximises when asked: the same search on -Branin with goal maximize also wins", () => {
    const config = parseSweepConfig({ method: "bayes", metric: { name: "score", goal: "maximize" }, parameters });
    const random = seededRandom(5);
    const trials: TrialView[] = [];
    for (let i = 0; i < BUDGET; i++) {
      const next = proposeNext(config, trials, random) as { params: { x: number; y: number } };
      trials.push({ runId: `t${i}`, state: "finished", params: next.params, metricHistory: [-branin(next.params.x, next.params.y)] });
    }
    const late = trials.slice(-10).map((t) => -(t.metricHistory[0] as number));
    // The last proposals concentrate near the minima (random search's median there is ≈ 25).
    expect(late.sort((a, b) => a - b)[5]).toBeLessThan(10);
  });

  it("samples at random with fewer than 2 finished trials, and keeps constants and categoricals", () => {
    const config = parseSweepConfig({
      method: "bayes",
      metric: { name: "loss" },
      parameters: { x: { min: 0.0, max: 1.0 }, c: { values: ["a", "b"] }, k: { value: 7 } },
    });
    const random = seededRandom(3);
    const first = proposeNext(config, [], random) as { params: Record<string, unknown> };
    expect(first.params.k).toBe(7);
    expect(["a", "b"]).toContain(first.params.c);
    const trials: TrialView[] = [
      { runId: "a", state: "finished", params: { x: 0.1, c: "a", k: 7 }, metricHistory: [1, 0.5] },
      { runId: "b", state: "failed", params: { x: 0.9, c: "b", k: 7 }, metricHistory: [] },
      { runId: "c", state: "running", params: { x: 0.5, c: "a", k: 7 }, metricHistory: [0.7] },
    ];
    const next = proposeNext(config, trials, random) as { params: { x: number; c: string; k: number } };
    expect(next.params.x).toBeGreaterThanOrEqual(0);
    expect(next.params.x).toBeLessThanOrEqual(1);
    expect(next.params.k).toBe(7);
  });

  it("ends once a trial reaches metric.target", () => {
    const config = parseSweepConfig({ method: "bayes", metric: { name: "loss", target: 0.5 }, parameters });
    const trials: TrialView[] = [{ runId: "good", state: "running", params: { x: 1, y: 1 }, metricHistory: [3, 0.4] }];
    expect(proposeNext(config, trials, Math.random)).toEqual({ done: true, reason: "metric target reached: run good logged loss 0.5" });
  });
});
