import { describe, expect, it } from "vitest";
import { isInferenceSession } from "./index.js";

describe("isInferenceSession", () => {
  it("recognises a session shape", () => {
    expect(isInferenceSession({ inputNames: ["x"], outputNames: ["y"], run: async () => ({}) })).toBe(true);
  });

  it("rejects other values", () => {
    for (const value of [null, {}, { inputNames: [], outputNames: [] }, { inputNames: "x", outputNames: [], run() {} }]) {
      expect(isInferenceSession(value)).toBe(false);
    }
  });
});
