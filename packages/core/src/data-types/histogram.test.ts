import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { computeHistogram, Histogram } from "./histogram.js";

describe("Histogram", () => {
  it("bins like numpy.histogram with 64 bins by default", () => {
    const values = Array.from({ length: 640 }, (_, i) => i);
    const h = new Histogram(values);
    expect(h.values).toHaveLength(64);
    expect(h.bins).toHaveLength(65);
    expect(h.bins[0]).toBe(0);
    expect(h.bins[64]).toBe(639);
    expect(h.values.reduce((a, b) => a + b, 0)).toBe(640);
    expect(h.toJSON()._type).toBe("histogram");
  });

  it("puts the maximum in the last bin and skips non-finite values", () => {
    const { values, bins } = computeHistogram([0, 1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY], 3);
    expect(bins).toEqual([0, 1, 2, 3]);
    expect(values).toEqual([1, 1, 2]);
  });

  it("handles constant and empty input like numpy", () => {
    expect(computeHistogram([5, 5, 5], 2).bins).toEqual([4.5, 5, 5.5]);
    expect(computeHistogram([], 2)).toEqual({ values: [0, 0], bins: [0, 0.5, 1] });
  });

  it("accepts precomputed { values, bins } and validates them", () => {
    expect(new Histogram({ values: [1, 2], bins: [0, 1, 2] }).toJSON()).toEqual({ _type: "histogram", values: [1, 2], bins: [0, 1, 2] });
    const bad = [
      () => new Histogram({ values: [1, 2], bins: [0, 1] }),
      () => new Histogram({ values: new Array(513).fill(1), bins: new Array(514).fill(0).map((_, i) => i) }),
      () => new Histogram({ values: [1], bins: [1, 0] }),
      () => new Histogram([1, 2], { numBins: 513 }),
      () => new Histogram([1, 2], { numBins: 0 }),
      () => new Histogram(["a"] as unknown as number[]),
    ];
    for (const attempt of bad) {
      expect(attempt).toThrow(RunlogError);
    }
  });
});
