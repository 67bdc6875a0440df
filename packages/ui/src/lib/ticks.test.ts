import { describe, expect, it } from "vitest";
import { niceTicks } from "./ticks.ts";

describe("niceTicks", () => {
  it("gives round values inside the range", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 4)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(-0.013, 0.021, 3)).toEqual([-0.01, 0, 0.01, 0.02]);
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(0, Number.NaN)).toEqual([]);
  });
});
