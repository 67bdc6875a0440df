import { describe, expect, it } from "vitest";
import { RunlogError } from "../errors.js";
import { MetricRegistry } from "./metric-registry.js";
import { SummaryTracker } from "./summary-tracker.js";

function tracked() {
  const registry = new MetricRegistry();
  const summary = new SummaryTracker((key) => registry.resolve(key));
  const log = (key: string, ...values: number[]) => {
    for (const value of values) summary.observeScalar(summary.entry(key), value);
  };
  return { registry, summary, log };
}

describe("defineMetric", () => {
  it("exact names win over globs, and the longest glob prefix wins", () => {
    const { registry } = tracked();
    registry.define("val/*", { summary: "max" });
    registry.define("val/loss/*", { summary: "min" });
    registry.define("val/loss/total", { summary: "mean" });
    expect(registry.resolve("val/acc")?.name).toBe("val/*");
    expect(registry.resolve("val/loss/ce")?.name).toBe("val/loss/*");
    expect(registry.resolve("val/loss/total")?.name).toBe("val/loss/total");
    expect(registry.resolve("train/loss")).toBeUndefined();
    expect(registry.resolve("_step")).toBeUndefined();
  });

  it("globs only as a suffix; validates every option", () => {
    const { registry } = tracked();
    const bad: [string, object][] = [
      ["a*b", {}],
      ["", {}],
      ["x", { summary: "median" }],
      ["x", { goal: "up" }],
      ["x", { stepMetric: "s*" }],
      ["x", { hidden: "yes" }],
      ["x", { unknown: 1 }],
    ];
    for (const [name, options] of bad) {
      expect(() => registry.define(name, options)).toThrow(RunlogError);
    }
  });

  it("merges definitions unless overwrite (summary OR-ed, stepSync and hidden sticky)", () => {
    const { registry } = tracked();
    registry.define("loss", { summary: "min", hidden: true, stepMetric: "epoch" });
    const merged = registry.define("loss", { summary: "max", hidden: false });
    expect(merged.summary).toEqual(["min", "max"]);
    expect(merged.hidden).toBe(true);
    expect(merged.stepSync).toBe(true);
    expect(merged.stepMetric).toBe("epoch");
    const replaced = registry.define("loss", { summary: "last", overwrite: true });
    expect(replaced).toEqual({ name: "loss", stepSync: false, hidden: false, summary: ["last"] });
  });

  it("stepSync defaults to true only with a stepMetric", () => {
    const { registry } = tracked();
    expect(registry.define("a").stepSync).toBe(false);
    expect(registry.define("b", { stepMetric: "epoch" }).stepSync).toBe(true);
    expect(registry.define("c", { stepMetric: "epoch", stepSync: false }).stepSync).toBe(false);
  });
});

describe("summary", () => {
  it("keeps the last value by default and aggregates for defined summaries", () => {
    const { registry, summary, log } = tracked();
    registry.define("acc", { summary: "min,max,mean,first,last" });
    registry.define("loss", { summary: ["best"], goal: "minimize" });
    registry.define("score", { summary: "best", goal: "maximize" });
    log("acc", 0.5, 0.9, 0.7);
    log("loss", 3, 1, 2);
    log("score", 3, 5, 4);
    log("plain", 1, 2);
    const acc = summary.get("acc") as Record<string, number>;
    expect(acc).toMatchObject({ min: 0.5, max: 0.9, first: 0.5, last: 0.7 });
    expect(acc.mean).toBeCloseTo(0.7, 12);
    expect(summary.get("loss")).toEqual({ best: 1 });
    expect(summary.get("score")).toEqual({ best: 5 });
    expect(summary.get("plain")).toBe(2);
  });

  it("summary 'none' hides the key; NaN is last but not aggregated", () => {
    const { registry, summary, log } = tracked();
    registry.define("hidden", { summary: "none" });
    registry.define("m", { summary: "max" });
    log("hidden", 1);
    log("m", 1, Number.NaN, 3);
    log("n", 1, Number.NaN);
    expect(summary.has("hidden")).toBe(false);
    expect(summary.get("m")).toEqual({ max: 3 });
    expect(summary.get("n")).toBeNaN();
  });

  it("explicit set overrides until the key is logged again", () => {
    const { summary, log } = tracked();
    log("x", 1);
    summary.setExplicit("x", 42);
    expect(summary.get("x")).toBe(42);
    log("x", 2);
    expect(summary.get("x")).toBe(2);
    summary.delete("x");
    expect(summary.has("x")).toBe(false);
    expect(summary.takeChanges()).toEqual({ set: {}, delete: ["x"] });
  });
});
