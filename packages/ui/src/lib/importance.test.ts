import { describe, expect, it } from "vitest";
import { parameterImportance, pearson } from "./importance.ts";

// 60 runs on a fixed grid (no randomness): the metric depends strongly on lr, weakly and inversely on depth, not on seed.
const runs = Array.from({ length: 60 }, (_, i) => {
  const lr = ((i * 37) % 60) / 60;
  const depth = ((i * 13) % 6) + 1;
  const seed = (i * 7) % 11;
  return { params: { lr, depth, seed, optimizer: i % 2 === 0 ? "adam" : "sgd", fixed: 1 }, metric: 3 * lr - 0.05 * depth };
});

describe("parameterImportance", () => {
  it("ranks the parameter that drives the metric first, with the sign of each correlation", () => {
    const result = parameterImportance(runs);
    expect(result.map((r) => r.param)[0]).toBe("lr");
    expect(result.find((r) => r.param === "fixed")).toBeUndefined(); // never varies
    const byName = Object.fromEntries(result.map((r) => [r.param, r]));
    expect(byName.lr?.importance).toBeGreaterThan(0.6);
    expect(byName.lr?.correlation).toBeGreaterThan(0.95);
    expect(byName.depth?.correlation).toBeLessThan(0);
    expect(Math.abs(byName.seed?.correlation ?? 1)).toBeLessThan(0.3);
    expect(result.reduce((sum, r) => sum + r.importance, 0)).toBeCloseTo(1, 6);
  });

  it("is the same for the same runs, and needs 3 runs with the metric", () => {
    expect(parameterImportance(runs)).toEqual(parameterImportance(runs));
    expect(parameterImportance(runs.slice(0, 2))).toEqual([]);
    expect(parameterImportance(runs.map((run, i) => ({ ...run, metric: i < 58 ? undefined : run.metric })))).toEqual([]);
  });

  it("answers for a small sweep (6 runs, 2 parameters), where a bootstrap sample can hold every run", () => {
    const grid = [0.1, 0.01, 0.001].flatMap((lr, i) =>
      ["sgd", "adam"].map((name, j) => ({ params: { lr, "optimizer.name": name }, metric: 0.2 * i + 0.3 * j + 0.01 * i * j })),
    );
    const result = parameterImportance(grid);
    expect(result.map((r) => r.param).sort()).toEqual(["lr", "optimizer.name"]);
    expect(result.reduce((sum, r) => sum + r.importance, 0)).toBeCloseTo(1, 6);
    // The losses of a real 6-point sweep, where one tree of the forest splits perfectly (no scoring split).
    const losses = [0.73267, 0.48267, 0.43267, 0.18267, 0.89933, 0.48267];
    const swept = grid.map((run, i) => ({ ...run, metric: losses[i] as number }));
    const importance = parameterImportance(swept).map((r) => r.importance);
    expect(importance.every((v) => v > 0)).toBe(true);
    expect(importance.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });
});

describe("pearson", () => {
  it("matches hand-computed values", () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
  });
});
