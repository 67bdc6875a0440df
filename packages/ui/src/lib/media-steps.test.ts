import { describe, expect, it } from "vitest";
import { atOrBefore, unionSteps } from "./media-steps.ts";

describe("atOrBefore", () => {
  it("finds the last step at or before the chosen one", () => {
    const steps = [0, 2, 4, 9];
    expect([-1, 0, 1, 2, 3, 4, 8, 9, 100].map((s) => atOrBefore(steps, s))).toEqual([-1, 0, 0, 1, 1, 2, 2, 3, 3]);
  });
  it("answers -1 for no steps, or all of them after", () => {
    expect(atOrBefore([], 5)).toBe(-1);
    expect(atOrBefore([7, 8], 6)).toBe(-1);
  });
});

describe("unionSteps", () => {
  it("merges the runs' steps, sorted numerically and once each, dropping non-finite ones", () => {
    expect(unionSteps([[3, 10, 7], [], [2, 3, Number.NaN, 100]])).toEqual([2, 3, 7, 10, 100]);
  });
});
