import { describe, expect, it } from "vitest";
import { carryForward, groupAggregate, unionAlign } from "./overlay.ts";

const series = (x: number[], last: number[]) => ({
  x,
  last,
  min: last.map((v) => v - 1),
  max: last.map((v) => v + 1),
  count: x.map(() => 1),
});

describe("unionAlign", () => {
  it("puts runs with different x values on their sorted union, null where a run has no point", () => {
    const aligned = unionAlign([series([0, 10, 20], [1, 2, 3]), series([5, 10], [7, 8]), series([], [])]);
    expect(aligned.x).toEqual([0, 5, 10, 20]);
    expect(aligned.last).toEqual([
      [1, null, 2, 3],
      [null, 7, 8, null],
      [null, null, null, null],
    ]);
    expect(aligned.min[1]).toEqual([null, 6, 7, null]);
    expect(aligned.max[0]).toEqual([2, null, 3, 4]);
  });

  it("keeps a one-point series (a short run must still draw)", () => {
    expect(unionAlign([series([3], [0.5])])).toMatchObject({ x: [3], last: [[0.5]] });
  });
});

describe("groupAggregate", () => {
  it("is the mean with a min–max band of the members that have a value at each x", () => {
    const { mean, min, max } = groupAggregate(
      [
        [1, null, 3, Number.NaN],
        [3, 5, null, null],
        [5, null, 6, null],
      ],
      4,
    );
    expect(mean).toEqual([3, 5, 4.5, null]);
    expect(min).toEqual([1, 5, 3, null]);
    expect(max).toEqual([5, 5, 6, null]);
  });
});

describe("carryForward", () => {
  it("fills gaps with the last value seen, never before the first", () => {
    expect(carryForward([null, 1, null, 2, null])).toEqual([null, 1, 1, 2, 2]);
  });
});
