import { describe, expect, it } from "vitest";
import { alignOnGrid, histogramGrid } from "./grid.ts";

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
});
