import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test-support/seeded-random.js";
import { askWandbSweeps } from "../../test-support/sweeps/oracle.js";
import { parseSweepConfig, parseSweepConfigText, proposeNext, type SweepConfig, type TrialView } from "./index.js";

/** Runs our grid to exhaustion, each proposal becoming a finished trial. */
function ourGrid(config: SweepConfig, seen: Record<string, unknown>[] = []): Record<string, unknown>[] {
  const trials: TrialView[] = seen.map((params, i) => ({ runId: `seen-${i}`, state: "finished", params, metricHistory: [] }));
  const order: Record<string, unknown>[] = [];
  const random = seededRandom(1);
  for (;;) {
    const next = proposeNext(config, trials, random);
    if (!("params" in next)) {
      expect(next.reason).toMatch(/grid exhausted/);
      return order;
    }
    order.push(next.params);
    trials.push({ runId: `run-${trials.length}`, state: "finished", params: next.params, metricHistory: [] });
  }
}

const GRIDS: Record<string, string> = {
  "categoricals, constants and int_uniform": `{"method": "grid", "parameters": {
    "lr": {"values": [0.1, 0.01, 0.001]}, "batch": {"min": 16, "max": 18}, "seed": {"value": 7},
    "act": {"distribution": "categorical", "values": ["relu", "tanh"]}}}`,
  "q_uniform, max exclusive, float step": `{"method": "grid", "parameters": {
    "drop": {"distribution": "q_uniform", "min": 0.0, "max": 0.5, "q": 0.1},
    "width": {"distribution": "q_uniform", "min": 2, "max": 11, "q": 3}}}`,
  "nested parameters and object values": `{"method": "grid", "parameters": {
    "optimizer": {"parameters": {"name": {"values": ["adam", "sgd"]}, "momentum": {"values": [0.0, 0.9]}}},
    "layers": {"values": [[64, 64], [128]]}, "aug": {"values": [{"flip": true}, {"flip": false, "crop": 4}]}}}`,
  "48 points": `{"method": "grid", "parameters": {"a": {"values": [1, 2, 3, 4]}, "b": {"values": ["x", "y", "z"]},
    "c": {"min": 0, "max": 3}}}`,
};

describe("grid (W&B's sweeps engine as oracle)", () => {
  for (const [name, text] of Object.entries(GRIDS)) {
    it(`visits the grid in W&B's order, each point once: ${name}`, () => {
      const config = parseSweepConfigText(text);
      const wandb = askWandbSweeps<Record<string, unknown>[]>(`{"op": "grid", "config": ${text}}`);
      const ours = ourGrid(config);
      expect(ours).toEqual(wandb);
      expect(new Set(ours.map((p) => JSON.stringify(p))).size).toBe(ours.length);
    });
  }

  it("skips the points already run, in any order, as W&B does", () => {
    const text = GRIDS["48 points"] as string;
    const config = parseSweepConfigText(text);
    const everything = ourGrid(config);
    expect(everything).toHaveLength(48);
    const random = seededRandom(20);
    const seen = everything.filter(() => random() < 0.4).reverse();
    const wandb = askWandbSweeps<Record<string, unknown>[]>(JSON.stringify({ op: "grid", config: JSON.parse(text), seen }));
    const ours = ourGrid(config, seen);
    expect(ours).toEqual(wandb);
    expect(ours.length + seen.length).toBe(48);
  });

  it("does not treat a run's extra keys in an object value, or 3.0 for 3, as a new point", () => {
    const config = parseSweepConfig({ method: "grid", parameters: { aug: { values: [{ flip: true }] }, n: { values: [3] } } });
    const seen = [{ aug: { flip: true, addedByUser: 1 }, n: 3.0 }];
    expect(
      proposeNext(config, [{ runId: "a", state: "finished", params: seen[0] as Record<string, unknown>, metricHistory: [] }], Math.random),
    ).toEqual({
      done: true,
      reason: "grid exhausted: all 1 points have run",
    });
  });

  it("ends at run_cap before the grid is exhausted", () => {
    const config = parseSweepConfig({ method: "grid", run_cap: 2, parameters: { a: { values: [1, 2, 3] } } });
    const trials: TrialView[] = [1, 2].map((a) => ({ runId: `r${a}`, state: "finished", params: { a }, metricHistory: [] }));
    expect(proposeNext(config, trials, Math.random)).toEqual({ done: true, reason: "run_cap reached: 2 of 2 runs" });
    expect(proposeNext(config, trials.slice(0, 1), Math.random)).toEqual({ params: { a: 2 } });
  });
});
