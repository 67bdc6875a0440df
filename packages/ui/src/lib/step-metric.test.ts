import { describe, expect, it } from "vitest";
import { defaultXAxis, definitionOf, isHiddenKey, isScalarSummary } from "./step-metric.ts";

const tfjs = [{ name: "epoch/epoch" }, { name: "epoch/*", stepMetric: "epoch/epoch" }];

describe("defaultXAxis", () => {
  it("draws tfjs's epoch/* against epoch/epoch, its defineMetric step metric", () => {
    expect(defaultXAxis([tfjs], "epoch/loss")).toBe("epoch/epoch");
    expect(defaultXAxis([tfjs], "epoch/epoch")).toBe("_step");
    expect(defaultXAxis([tfjs], "batch/loss")).toBe("_step");
  });

  it("prefers an exact definition over a glob, and falls back to _step when runs disagree", () => {
    const exact = [
      { name: "val/*", stepMetric: "epoch" },
      { name: "val/acc", stepMetric: "val/step" },
    ];
    expect(definitionOf(exact, "val/acc")?.stepMetric).toBe("val/step");
    expect(defaultXAxis([exact], "val/acc")).toBe("val/step");
    expect(defaultXAxis([exact, [{ name: "val/acc", stepMetric: "other" }]], "val/acc")).toBe("_step");
    expect(defaultXAxis([exact, []], "val/loss")).toBe("epoch");
  });

  it("matches globs by prefix as core does: the longest prefix wins, `_` keys match none", () => {
    const globs = [
      { name: "a*", stepMetric: "short" },
      { name: "a.b*", stepMetric: "long" },
    ];
    expect(definitionOf(globs, "aXbc")?.stepMetric).toBe("short");
    expect(definitionOf(globs, "a.bc")?.stepMetric).toBe("long");
    expect(definitionOf([{ name: "*", stepMetric: "s" }], "_step")).toBeUndefined();
  });
});

describe("isHiddenKey / isScalarSummary", () => {
  it("hides keys defined hidden by any run", () => {
    expect(isHiddenKey([[{ name: "debug/*", hidden: true }]], "debug/x")).toBe(true);
    expect(isHiddenKey([[{ name: "debug/*", hidden: true }]], "loss")).toBe(false);
  });

  it("counts a defineMetric summary object as a scalar key, media and histograms not", () => {
    expect(isScalarSummary(0.5)).toBe(true);
    expect(isScalarSummary(undefined)).toBe(true);
    expect(isScalarSummary({ max: 0.9 })).toBe(true);
    expect(isScalarSummary({ min: 0.1, last: 0.2 })).toBe(true);
    expect(isScalarSummary({ _type: "histogram", values: [1] })).toBe(false);
    expect(isScalarSummary({ _type: "image-file", path: "x.png" })).toBe(false);
    expect(isScalarSummary("text")).toBe(false);
    expect(isScalarSummary({})).toBe(false);
  });
});
