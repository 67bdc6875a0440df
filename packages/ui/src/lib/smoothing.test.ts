import { describe, expect, it } from "vitest";
import { emaSmooth, gaussianSmooth, runningAverage, smooth } from "./smoothing.ts";

const steps = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("smoothing", () => {
  it("EMA with weight 0 is the identity, and debiasing keeps the first point exact", () => {
    const ys = [5, 1, 4, 2, 3];
    expect(emaSmooth(steps(5), ys, 0)).toEqual(ys);
    expect(emaSmooth(steps(5), ys, 0.9)[0]).toBe(5);
  });

  it("EMA of a constant is that constant (no pull towards 0), and it damps noise", () => {
    expect(emaSmooth(steps(100), new Array(100).fill(3), 0.95).every((v) => Math.abs(v - 3) < 1e-12)).toBe(true);
    const noisy = steps(1000).map((i) => (i % 2 === 0 ? 1 : -1));
    const smoothed = emaSmooth(steps(1000), noisy, 0.99);
    expect(Math.max(...smoothed.slice(500).map(Math.abs))).toBeLessThan(0.2);
  });

  it("EMA is time-weighted: the same curve sampled twice as densely smooths to the same values", () => {
    const f = (x: number) => Math.sin(x / 50);
    const coarse = steps(500).map((i) => i * 2);
    const fine = steps(1000);
    const a = emaSmooth(coarse, coarse.map(f), 0.8);
    const b = emaSmooth(fine, fine.map(f), 0.8);
    for (let i = 100; i < 500; i += 50) expect(a[i]).toBeCloseTo(b[2 * i] as number, 1);
  });

  it("keeps NaN points as gaps without poisoning the points after them", () => {
    const out = emaSmooth(steps(4), [1, Number.NaN, 1, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[3]).toBeCloseTo(1);
    expect(runningAverage([1, Number.NaN, 3, 5], 3)).toEqual([1, Number.NaN, 4, 4]);
    expect(gaussianSmooth(steps(3), [1, Number.NaN, 1], 1)[2]).toBeCloseTo(1);
  });

  it("running average is centered over the window; gaussian weights near points most", () => {
    expect(runningAverage([0, 3, 6, 9, 12], 3)).toEqual([1.5, 3, 6, 9, 10.5]);
    const g = gaussianSmooth(steps(5), [0, 0, 10, 0, 0], 1);
    expect(g[2]).toBeLessThan(10);
    expect(g[2]).toBeGreaterThan(g[1] as number);
    expect(g[1]).toBeGreaterThan(g[0] as number);
    expect(smooth(steps(3), [1, 2, 3], { kind: "none" })).toEqual([1, 2, 3]);
  });
});
