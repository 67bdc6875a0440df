import { describe, expect, it } from "vitest";
import { isLayersModel } from "./index.js";

describe("isLayersModel", () => {
  it("recognises the LayersModel shape without importing tfjs", () => {
    const model = { layers: [], weights: [{ name: "dense/kernel" }], fit: async () => ({}), getWeights: () => [] };
    expect(isLayersModel(model)).toBe(true);
  });

  it("rejects other values", () => {
    for (const value of [null, undefined, 3, {}, { layers: [], weights: [] }, { layers: "x", weights: [], fit() {}, getWeights() {} }]) {
      expect(isLayersModel(value)).toBe(false);
    }
  });
});
