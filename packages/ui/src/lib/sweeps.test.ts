import { describe, expect, it } from "vitest";
import { bestOf, metricNumber, sweepActions, sweptParameters } from "./sweeps.ts";

describe("sweep page helpers", () => {
  it("flattens nested parameters with dots, in the config's order", () => {
    const parameters = {
      lr: { values: [0.1, 0.01] },
      optimizer: { parameters: { name: { value: "adam" }, betas: { parameters: { b1: { min: 0.8, max: 0.99 } } } } },
      batch: { min: 16, max: 64 },
    };
    expect(sweptParameters(parameters)).toEqual(["lr", "optimizer.name", "optimizer.betas.b1", "batch"]);
  });

  it("offers only the controls the sweep's state allows", () => {
    const labels = (state: Parameters<typeof sweepActions>[0]) => sweepActions(state).map((a) => `${a.label}→${a.state}`);
    expect(labels("running")).toEqual(["pause→paused", "stop→stopped", "cancel→cancelled"]);
    expect(labels("paused")).toEqual(["resume→running", "stop→stopped", "cancel→cancelled"]);
    expect(labels("stopped")).toEqual(["cancel→cancelled"]);
    expect(labels("cancelled")).toEqual([]);
    expect(labels("finished")).toEqual([]);
  });

  it("picks the best value per goal, skipping missing ones", () => {
    const runs = [{ v: 3 }, { v: undefined }, { v: 1 }, { v: 2 }];
    expect(bestOf(runs, (r) => r.v, "minimize")).toBe(runs[2]);
    expect(bestOf(runs, (r) => r.v, undefined)).toBe(runs[2]);
    expect(bestOf(runs, (r) => r.v, "maximize")).toBe(runs[0]);
    expect(bestOf([{ v: undefined }], (r) => r.v, "maximize")).toBeUndefined();
    expect([metricNumber({ min: 0.5, last: 2 }), metricNumber(Number.NaN), metricNumber("x"), metricNumber(4)]).toEqual([
      0.5,
      undefined,
      undefined,
      4,
    ]);
  });
});
