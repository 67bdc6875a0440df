import { describeValue, RunlogError } from "../errors.js";
import { type HistoryContext, type Loggable, TO_HISTORY } from "./loggable.js";
import { Table } from "./table.js";

/** A chart as W&B's custom charts: the Table it draws plus a Vega-Lite spec (stored with the run). */
export class CustomChart implements Loggable {
  constructor(
    readonly chartId: string,
    readonly table: Table,
    readonly spec: Record<string, unknown>,
  ) {}

  [TO_HISTORY](context: HistoryContext): Record<string, unknown> {
    return {
      _type: "custom-chart",
      chart_id: this.chartId,
      table: this.table[TO_HISTORY]({ ...context, key: `${context.key}_table` }),
      spec: this.spec,
    };
  }
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

function spec(title: string | undefined, mark: string, encoding: Record<string, unknown>): Record<string, unknown> {
  return { $schema: SCHEMA, ...(title ? { title } : {}), data: { name: "table" }, mark: { type: mark, tooltip: true }, encoding };
}

function invalid(message: string): never {
  throw new RunlogError("INVALID_VALUE", message);
}

function finiteNumbers(name: string, values: unknown): number[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) invalid(`${name} must be an array of numbers, got ${describeValue(values)}.`);
  const out = Array.from(values as ArrayLike<unknown>, Number);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) invalid(`${name}[${bad}] is not a finite number (${describeValue((values as ArrayLike<unknown>)[bad])}).`);
  return out;
}

function columnOf(table: Table, name: string): void {
  if (!(table instanceof Table)) invalid(`Expected a Table, got ${describeValue(table)}.`);
  table.getColumn(name);
}

/** Points of a ranking curve: one per distinct score (ties form a single step), highest score first. */
function rankPoints(scores: number[], positive: boolean[]): { tp: number; fp: number }[] {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
  const points: { tp: number; fp: number }[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const [score, i] = order[k] as readonly [number, number];
    if (positive[i]) tp++;
    else fp++;
    if (k === order.length - 1 || (order[k + 1] as readonly [number, number])[0] !== score) points.push({ tp, fp });
  }
  return points;
}

/** One-vs-rest scores and labels: `probas` is [n] (binary, class 1 score) or [n][classes]. */
function perClass(yTrue: unknown, probas: unknown, labels: readonly string[] | undefined) {
  if (!Array.isArray(yTrue) && !ArrayBuffer.isView(yTrue)) invalid(`yTrue must be an array of class indices, got ${describeValue(yTrue)}.`);
  const truth = Array.from(yTrue as ArrayLike<unknown>, (v) => (typeof v === "boolean" ? Number(v) : Number(v)));
  if (truth.some((v) => !Number.isInteger(v) || v < 0)) invalid("yTrue must hold class indices (non-negative integers) or booleans.");
  if (!Array.isArray(probas) || probas.length !== truth.length)
    invalid(
      `yProbas must have one entry per label (${truth.length}), got ${Array.isArray(probas) ? probas.length : describeValue(probas)}.`,
    );
  const multi = Array.isArray(probas[0]) || ArrayBuffer.isView(probas[0]);
  const classCount = multi ? (probas[0] as ArrayLike<number>).length : 2;
  const rows = probas.map((p, i) => (multi ? finiteNumbers(`yProbas[${i}]`, p) : [1 - Number(p), ...finiteNumbers(`yProbas[${i}]`, [p])]));
  if (rows.some((r) => r.length !== classCount)) invalid(`Every yProbas row needs ${classCount} scores.`);
  const classes = multi ? Array.from({ length: classCount }, (_, c) => c) : [1];
  return classes.map((c) => ({
    name: labels?.[c] ?? String(c),
    scores: rows.map((r) => r[c] as number),
    positive: truth.map((t) => t === c),
  }));
}

/** A chart of one y column against one x column of `table`. */
function xyChart(
  chartId: string,
  mark: string,
  table: Table,
  x: string,
  xType: "quantitative" | "nominal",
  y: string,
  title: string | undefined,
): CustomChart {
  columnOf(table, x);
  columnOf(table, y);
  return new CustomChart(chartId, table, spec(title, mark, { x: { field: x, type: xType }, y: { field: y, type: "quantitative" } }));
}

export const plot = {
  line(table: Table, x: string, y: string, options: { title?: string } = {}): CustomChart {
    return xyChart("wandb/line/v0", "line", table, x, "quantitative", y, options.title);
  },

  scatter(table: Table, x: string, y: string, options: { title?: string } = {}): CustomChart {
    return xyChart("wandb/scatter/v0", "point", table, x, "quantitative", y, options.title);
  },

  bar(table: Table, label: string, value: string, options: { title?: string } = {}): CustomChart {
    return xyChart("wandb/bar/v0", "bar", table, label, "nominal", value, options.title);
  },

  histogram(table: Table, value: string, options: { title?: string; bins?: number } = {}): CustomChart {
    columnOf(table, value);
    return new CustomChart(
      "wandb/histogram/v0",
      table,
      spec(options.title, "bar", {
        x: { field: value, bin: { maxbins: options.bins ?? 64 }, type: "quantitative" },
        y: { aggregate: "count" },
      }),
    );
  },

  /** Several y series over shared xs: a long table (series, x, y). */
  lineSeries(
    xs: ArrayLike<number>,
    ys: readonly ArrayLike<number>[],
    options: { keys?: readonly string[]; title?: string; xName?: string } = {},
  ): CustomChart {
    const x = finiteNumbers("xs", xs);
    const table = new Table({ columns: ["lineKey", options.xName ?? "x", "y"] });
    ys.forEach((series, s) => {
      const y = finiteNumbers(`ys[${s}]`, series);
      if (y.length !== x.length) invalid(`ys[${s}] has ${y.length} values for ${x.length} xs.`);
      for (let i = 0; i < y.length; i++) table.addRow(options.keys?.[s] ?? `key_${s}`, x[i], y[i]);
    });
    return new CustomChart(
      "wandb/lineseries/v0",
      table,
      spec(options.title, "line", {
        x: { field: options.xName ?? "x", type: "quantitative" },
        y: { field: "y", type: "quantitative" },
        color: { field: "lineKey", type: "nominal" },
      }),
    );
  },

  /** Precision–recall per class (one-vs-rest), one point per distinct score; ties form one step. */
  prCurve(
    yTrue: ArrayLike<number | boolean>,
    yProbas: readonly unknown[],
    options: { labels?: readonly string[]; title?: string } = {},
  ): CustomChart {
    const table = new Table({ columns: ["class", "recall", "precision"] });
    for (const { name, scores, positive } of perClass(yTrue, yProbas, options.labels)) {
      const positives = positive.filter(Boolean).length;
      if (positives === 0) continue; // recall is undefined for a class that never occurs
      for (const { tp, fp } of rankPoints(scores, positive)) table.addRow(name, tp / positives, tp / (tp + fp));
    }
    if (table.rowCount === 0) invalid("prCurve: no class has a positive example, so recall is undefined.");
    return new CustomChart(
      "wandb/area-under-curve/v0",
      table,
      spec(options.title ?? "Precision v. Recall", "line", {
        x: { field: "recall", type: "quantitative" },
        y: { field: "precision", type: "quantitative" },
        color: { field: "class", type: "nominal" },
      }),
    );
  },

  /** ROC per class (one-vs-rest) from (0,0) to (1,1), one point per distinct score. */
  rocCurve(
    yTrue: ArrayLike<number | boolean>,
    yProbas: readonly unknown[],
    options: { labels?: readonly string[]; title?: string } = {},
  ): CustomChart {
    const table = new Table({ columns: ["class", "fpr", "tpr"] });
    for (const { name, scores, positive } of perClass(yTrue, yProbas, options.labels)) {
      const positives = positive.filter(Boolean).length;
      const negatives = positive.length - positives;
      if (positives === 0 || negatives === 0) continue; // a single-class input has no ROC
      table.addRow(name, 0, 0);
      for (const { tp, fp } of rankPoints(scores, positive)) table.addRow(name, fp / negatives, tp / positives);
    }
    if (table.rowCount === 0) invalid("rocCurve needs both positive and negative examples of at least one class.");
    return new CustomChart(
      "wandb/area-under-curve/v0",
      table,
      spec(options.title ?? "ROC", "line", {
        x: { field: "fpr", type: "quantitative" },
        y: { field: "tpr", type: "quantitative" },
        color: { field: "class", type: "nominal" },
      }),
    );
  },

  /** Counts of (actual, predicted) for every pair of classes. */
  confusionMatrix(
    yTrue: ArrayLike<number>,
    preds: ArrayLike<number>,
    options: { classNames?: readonly string[]; title?: string } = {},
  ): CustomChart {
    const truth = finiteNumbers("yTrue", yTrue);
    const predicted = finiteNumbers("preds", preds);
    if (truth.length !== predicted.length) invalid(`confusionMatrix: ${truth.length} labels but ${predicted.length} predictions.`);
    const count = options.classNames?.length ?? Math.max(0, ...truth, ...predicted) + 1;
    if ([...truth, ...predicted].some((c) => !Number.isInteger(c) || c < 0 || c >= count))
      invalid(`confusionMatrix: labels and predictions must be class indices 0…${count - 1}.`);
    const counts = Array.from({ length: count }, () => new Array<number>(count).fill(0));
    truth.forEach((t, i) => {
      const row = counts[t] as number[];
      const column = predicted[i] as number;
      row[column] = (row[column] as number) + 1;
    });
    const name = (c: number) => options.classNames?.[c] ?? String(c);
    const table = new Table({ columns: ["Actual", "Predicted", "nPredictions"] });
    for (let a = 0; a < count; a++) for (let p = 0; p < count; p++) table.addRow(name(a), name(p), (counts[a] as number[])[p]);
    return new CustomChart(
      "wandb/confusion_matrix/v1",
      table,
      spec(options.title ?? "Confusion Matrix", "rect", {
        x: { field: "Predicted", type: "nominal" },
        y: { field: "Actual", type: "nominal" },
        color: { field: "nPredictions", type: "quantitative" },
      }),
    );
  },
};
