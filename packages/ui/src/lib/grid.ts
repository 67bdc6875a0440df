/** Server series results: one entry per non-empty bucket (x is the bucket's last point). */
export interface Series {
  readonly x: number[];
  readonly min: number[];
  readonly max: number[];
  readonly last: number[];
  readonly count: number[];
}

/**
 * Puts many runs' series, all bucketed over the same [lo, hi] with the same bucket count, on one
 * shared x array (bucket centers) so one uPlot chart can draw them: an empty bucket is a gap (null).
 */
export function alignOnGrid(results: readonly Series[], buckets: number, lo: number, hi: number): { x: number[]; ys: (number | null)[][] } {
  const width = hi > lo ? (hi - lo) / buckets : 1;
  const x = Array.from({ length: buckets }, (_, i) => lo + (i + 0.5) * width);
  const ys = results.map((series) => {
    const y = new Array<number | null>(buckets).fill(null);
    for (let i = 0; i < series.x.length; i++) {
      const b = Math.min(buckets - 1, Math.max(0, Math.floor(((series.x[i] as number) - lo) / width)));
      y[b] = series.last[i] as number;
    }
    return y;
  });
  return { x, ys };
}

export interface HistogramRow {
  readonly step: number;
  readonly values: readonly number[];
  readonly bins: readonly number[];
}

/** The lowest and highest finite bin edge over all the histograms ([+∞, −∞] when there is none). */
export function histogramRange(histograms: readonly HistogramRow[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const h of histograms) {
    for (const edge of h.bins) {
      if (Number.isFinite(edge)) {
        if (edge < lo) lo = edge;
        if (edge > hi) hi = edge;
      }
    }
  }
  return [lo, hi];
}

/**
 * Histograms over time as a heatmap matrix: every step's counts re-binned onto `rows` shared bins
 * spanning all steps' edges (each source bin adds its count to the shared bin holding its center),
 * normalized per step so a step with more samples does not wash out the others. `range` (by default
 * the histograms' own) puts several runs' grids on the same value axis.
 */
export function histogramGrid(
  histograms: readonly HistogramRow[],
  rows = 64,
  range: readonly [number, number] = histogramRange(histograms),
): { steps: number[]; lo: number; hi: number; cells: Float64Array[] } {
  const [lo, hi] = range;
  if (!(hi >= lo)) return { steps: [], lo: 0, hi: 0, cells: [] };
  const span = hi > lo ? hi - lo : 1;
  const cells = histograms.map((h) => {
    const column = new Float64Array(rows);
    let peak = 0;
    for (let j = 0; j < h.values.length; j++) {
      const center = ((h.bins[j] as number) + (h.bins[j + 1] as number)) / 2;
      if (!Number.isFinite(center)) continue;
      const r = Math.min(rows - 1, Math.max(0, Math.floor(((center - lo) / span) * rows)));
      column[r] = (column[r] as number) + (h.values[j] as number);
      peak = Math.max(peak, column[r] as number);
    }
    if (peak > 0) for (let r = 0; r < rows; r++) column[r] = (column[r] as number) / peak;
    return column;
  });
  return { steps: histograms.map((h) => h.step), lo, hi, cells };
}
