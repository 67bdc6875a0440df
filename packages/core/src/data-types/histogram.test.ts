import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { numpyHistogram } from "../test-support/numpy.js";
import { computeHistogram, Histogram } from "./histogram.js";

describe("Histogram", () => {
  it("bins like numpy.histogram with 64 bins by default (edges and counts, bin by bin, from numpy itself)", () => {
    const values = Array.from({ length: 640 }, (_, i) => i);
    const h = new Histogram(values);
    expect({ values: h.values, bins: h.bins }).toEqual(numpyHistogram(values, 64));
    expect(h.toJSON()._type).toBe("histogram");
  });

  it("matches numpy.histogram bin by bin on values that sit on bin edges, tiny and huge ranges, and float32 data", () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const cases: [string, number[], number][] = [
      ["tenths on the edges", Array.from({ length: 101 }, (_, i) => i / 10), 10],
      ["tenths, 7 bins", Array.from({ length: 101 }, (_, i) => i * 0.1), 7],
      ["thirds", Array.from({ length: 300 }, (_, i) => i / 3), 9],
      ["negative and positive", Array.from({ length: 500 }, () => random() * 2e3 - 1e3), 64],
      ["normal-ish", Array.from({ length: 5_000 }, () => random() + random() + random() - 1.5), 64],
      ["a tiny range", Array.from({ length: 200 }, (_, i) => 1 + i * Number.EPSILON), 16],
      ["a huge offset", Array.from({ length: 200 }, (_, i) => 1e15 + i * 0.25), 32],
      ["float32 weights", Array.from(Float32Array.from({ length: 1_000 }, () => random() * 0.2 - 0.1)), 64],
      ["one bin", [3, 1, 2], 1],
      ["512 bins", Array.from({ length: 2_000 }, () => random()), 512],
      ["constant", [5, 5, 5], 2],
      ["one value", [-2.5], 64],
      ["empty", [], 2],
      ["non-finite skipped", [0, 1, 2, 3, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], 3],
    ];
    for (const [name, values, bins] of cases) {
      const ours = computeHistogram(values, bins);
      expect([name, ours], name).toEqual([name, numpyHistogram(values, bins)]);
    }
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
