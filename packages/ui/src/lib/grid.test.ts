import { describe, expect, it } from "vitest";
import { alignOnGrid, histogramGrid, histogramRange } from "./grid.ts";

describe("alignOnGrid", () => {
  it("places each run's buckets on one shared grid, with gaps where a run has no points", () => {
    const long = { x: [0, 5, 9], last: [1, 2, 3], min: [1, 2, 3], max: [1, 2, 3], count: [1, 1, 1] };
    const short = { x: [1], last: [7], min: [7], max: [7], count: [1] };
    const { x, ys } = alignOnGrid([long, short], 2, 0, 10);
    expect(x).toEqual([2.5, 7.5]);
    expect(ys).toEqual([
      [1, 3],
      [7, null],
    ]);
  });
});

describe("histogramGrid", () => {
  it("re-bins every step onto shared bins spanning all steps and normalizes each step to its peak", () => {
    const grid = histogramGrid(
      [
        { step: 0, values: [4, 2], bins: [0, 1, 2] },
        { step: 1, values: [1, 3], bins: [2, 3, 4] },
      ],
      4,
    );
    expect(grid.steps).toEqual([0, 1]);
    expect([grid.lo, grid.hi]).toEqual([0, 4]);
    expect([...(grid.cells[0] as Float64Array)]).toEqual([1, 0.5, 0, 0]);
    expect([...(grid.cells[1] as Float64Array)]).toEqual([0, 0, 1 / 3, 1]);
    expect(histogramGrid([]).cells).toEqual([]);
  });

  it("puts several runs on one value axis: the shared range of all their edges", () => {
    const a = [{ step: 0, values: [1], bins: [0, 1] }];
    const b = [{ step: 5, values: [2, 2], bins: [2, 3, Number.POSITIVE_INFINITY] }];
    const range = histogramRange([...a, ...b]);
    expect(range).toEqual([0, 3]);
    expect([...(histogramGrid(a, 3, range).cells[0] as Float64Array)]).toEqual([1, 0, 0]);
    // The open last bin (center +∞) is skipped; [2, 3] lands in the top row of the shared axis.
    expect([...(histogramGrid(b, 3, range).cells[0] as Float64Array)]).toEqual([0, 0, 1]);
    expect(histogramRange([])).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });
});
