import { describe, expect, it } from "vitest";
import { binValues, chartModel } from "./chart-spec.ts";

// Specs exactly as core's plot.* writes them (packages/core/src/data-types/plots.ts).
const spec = (mark: string, encoding: Record<string, unknown>) => ({
  data: { name: "table" },
  mark: { type: mark, tooltip: true },
  encoding,
});

describe("chartModel", () => {
  it("reads plot.lineSeries (and PR/ROC) as one line per color value, sorted by x", () => {
    const model = chartModel(spec("line", { x: { field: "x", type: "quantitative" }, y: { field: "y" }, color: { field: "lineKey" } }), {
      columns: ["lineKey", "x", "y"],
      data: [
        ["a", 2, 20],
        ["b", 1, 5],
        ["a", 1, 10],
        ["a", 3, "bad"],
      ],
    });
    expect(model).toEqual({
      kind: "xy",
      mark: "line",
      xLabel: "x",
      yLabel: "y",
      series: [
        {
          name: "a",
          points: [
            [1, 10],
            [2, 20],
          ],
        },
        { name: "b", points: [[1, 5]] },
      ],
    });
  });

  it("reads plot.scatter, plot.bar and plot.histogram", () => {
    const table = {
      columns: ["name", "v"],
      data: [
        ["p", 1],
        ["q", 3],
        ["r", 2],
      ],
    };
    expect(chartModel(spec("point", { x: { field: "v" }, y: { field: "v" } }), table)).toMatchObject({ kind: "xy", mark: "point" });
    expect(chartModel(spec("bar", { x: { field: "name", type: "nominal" }, y: { field: "v" } }), table)).toEqual({
      kind: "bar",
      xLabel: "name",
      yLabel: "v",
      bars: [
        { label: "p", value: 1 },
        { label: "q", value: 3 },
        { label: "r", value: 2 },
      ],
    });
    const histogram = chartModel(spec("bar", { x: { field: "v", bin: { maxbins: 2 } }, y: { aggregate: "count" } }), table);
    expect(histogram).toEqual({
      kind: "histogram",
      xLabel: "v",
      bins: [
        { lo: 1, hi: 2, count: 1 },
        { lo: 2, hi: 3, count: 2 },
      ],
    });
  });

  it("reads plot.confusionMatrix as a heatmap of counts", () => {
    const model = chartModel(spec("rect", { x: { field: "Predicted" }, y: { field: "Actual" }, color: { field: "nPredictions" } }), {
      columns: ["Actual", "Predicted", "nPredictions"],
      data: [
        ["cat", "cat", 5],
        ["cat", "dog", 1],
        ["dog", "cat", 0],
        ["dog", "dog", 7],
      ],
    });
    expect(model).toEqual({
      kind: "heatmap",
      xLabel: "Predicted",
      yLabel: "Actual",
      xs: ["cat", "dog"],
      ys: ["cat", "dog"],
      cells: [
        [5, 1],
        [0, 7],
      ],
      max: 7,
    });
  });

  it("reports what it cannot draw instead of guessing", () => {
    expect(chartModel(spec("arc", { x: { field: "v" }, y: { field: "v" } }), { columns: ["v"], data: [] })).toMatchObject({
      kind: "unsupported",
    });
    expect(chartModel(spec("line", { x: { field: "missing" }, y: { field: "v" } }), { columns: ["v"], data: [] })).toMatchObject({
      kind: "unsupported",
      reason: 'the table has no column "missing"',
    });
  });
});

describe("binValues", () => {
  it("counts every value once, the maximum in the last bin", () => {
    const bins = binValues([0, 0.5, 1, 1.5, 2, 10], 5);
    expect(bins.reduce((n, bin) => n + bin.count, 0)).toBe(6);
    expect(bins[0]).toEqual({ lo: 0, hi: 2, count: 4 });
    expect(bins[4]).toEqual({ lo: 8, hi: 10, count: 1 });
    expect(binValues([3, 3], 4)).toEqual([{ lo: 3, hi: 3, count: 2 }]);
    expect(binValues([], 4)).toEqual([]);
  });
});
