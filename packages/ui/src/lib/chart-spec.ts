/**
 * The Vega-Lite specs that `plot.*` logs, read into a drawable model for the dashboard's own SVG
 * renderer: a full Vega-Lite runtime is ~10× the whole app and needs `unsafe-eval` unless
 * interpreted, and `plot.*` only uses marks line / point / bar (with `bin` for histograms) / rect
 * (confusion matrices) with x, y and color fields. A spec outside that subset is reported, not guessed.
 */
export interface TableData {
  readonly columns: readonly string[];
  readonly data: readonly (readonly unknown[])[];
}

export type ChartModel =
  | { kind: "xy"; mark: "line" | "point"; xLabel: string; yLabel: string; series: { name: string; points: [number, number][] }[] }
  | { kind: "bar"; xLabel: string; yLabel: string; bars: { label: string; value: number }[] }
  | { kind: "histogram"; xLabel: string; bins: { lo: number; hi: number; count: number }[] }
  | { kind: "heatmap"; xLabel: string; yLabel: string; xs: string[]; ys: string[]; cells: number[][]; max: number }
  | { kind: "unsupported"; reason: string };

interface Channel {
  field?: string;
  type?: string;
  bin?: boolean | { maxbins?: number };
  aggregate?: string;
}

const asChannel = (value: unknown): Channel => (value !== null && typeof value === "object" ? (value as Channel) : {});

function column(table: TableData, field: string | undefined): number {
  return field === undefined ? -1 : table.columns.indexOf(field);
}

const numeric = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

/** Equal-width bins over the data's range (Vega-Lite picks "nice" edges; the counts per value are the same idea). */
export function binValues(values: readonly number[], maxBins: number): { lo: number; hi: number; count: number }[] {
  if (values.length === 0) return [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [{ lo, hi, count: values.length }];
  const n = Math.max(1, Math.floor(maxBins));
  const width = (hi - lo) / n;
  const bins = Array.from({ length: n }, (_, i) => ({ lo: lo + i * width, hi: i === n - 1 ? hi : lo + (i + 1) * width, count: 0 }));
  for (const v of values) (bins[Math.min(n - 1, Math.floor((v - lo) / width))] as { count: number }).count++;
  return bins;
}

export function chartModel(spec: Record<string, unknown>, table: TableData): ChartModel {
  const markValue = spec.mark;
  const mark = typeof markValue === "string" ? markValue : String((markValue as { type?: unknown } | undefined)?.type ?? "");
  const encoding = (spec.encoding ?? {}) as Record<string, unknown>;
  const x = asChannel(encoding.x);
  const y = asChannel(encoding.y);
  const color = asChannel(encoding.color);
  const xi = column(table, x.field);
  const yi = column(table, y.field);
  const ci = column(table, color.field);
  const rows = table.data;
  if (x.field !== undefined && xi === -1) return { kind: "unsupported", reason: `the table has no column "${x.field}"` };

  if (mark === "bar" && x.bin) {
    const maxBins = typeof x.bin === "object" ? (x.bin.maxbins ?? 10) : 10;
    const values = rows.map((row) => numeric(row[xi])).filter((v): v is number => v !== undefined);
    return { kind: "histogram", xLabel: x.field ?? "", bins: binValues(values, maxBins) };
  }
  if (yi === -1) return { kind: "unsupported", reason: `the table has no column "${y.field ?? "(none)"}"` };
  if (mark === "bar") {
    const bars = rows.flatMap((row) => {
      const value = numeric(row[yi]);
      return value === undefined ? [] : [{ label: String(row[xi]), value }];
    });
    return { kind: "bar", xLabel: x.field ?? "", yLabel: y.field ?? "", bars };
  }
  if (mark === "rect") {
    if (ci === -1) return { kind: "unsupported", reason: "a rect mark needs a color field" };
    const xs = [...new Set(rows.map((row) => String(row[xi])))];
    const ys = [...new Set(rows.map((row) => String(row[yi])))];
    const cells = ys.map(() => new Array<number>(xs.length).fill(0));
    let max = 0;
    for (const row of rows) {
      const value = numeric(row[ci]) ?? 0;
      (cells[ys.indexOf(String(row[yi]))] as number[])[xs.indexOf(String(row[xi]))] = value;
      if (value > max) max = value;
    }
    return { kind: "heatmap", xLabel: x.field ?? "", yLabel: y.field ?? "", xs, ys, cells, max };
  }
  if (mark === "line" || mark === "point") {
    const series = new Map<string, [number, number][]>();
    for (const row of rows) {
      const px = numeric(row[xi]);
      const py = numeric(row[yi]);
      if (px === undefined || py === undefined) continue;
      const name = ci === -1 ? (y.field ?? "") : String(row[ci]);
      series.set(name, [...(series.get(name) ?? []), [px, py]]);
    }
    return {
      kind: "xy",
      mark,
      xLabel: x.field ?? "",
      yLabel: y.field ?? "",
      series: [...series].map(([name, points]) => ({ name, points: mark === "line" ? points.sort((a, b) => a[0] - b[0]) : points })),
    };
  }
  return { kind: "unsupported", reason: `mark "${mark}" is not drawn here` };
}
