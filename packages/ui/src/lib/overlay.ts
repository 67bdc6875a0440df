import type { Series } from "./grid.ts";

/**
 * Many runs' bucketed series on one x array for one uPlot chart: the sorted union of every run's x
 * values, each run null where it has no point there (the chart spans the gap). Exact at any x-axis,
 * including step metrics and wall time where runs do not share a range.
 */
export function unionAlign(seriesList: readonly Series[]): {
  x: number[];
  last: (number | null)[][];
  min: (number | null)[][];
  max: (number | null)[][];
} {
  const xs = new Set<number>();
  for (const series of seriesList) for (const value of series.x) xs.add(value);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((value, i) => [value, i]));
  const empty = () => new Array<number | null>(x.length).fill(null);
  const last = seriesList.map(empty);
  const min = seriesList.map(empty);
  const max = seriesList.map(empty);
  seriesList.forEach((series, s) => {
    for (let i = 0; i < series.x.length; i++) {
      const at = index.get(series.x[i] as number) as number;
      (last[s] as (number | null)[])[at] = series.last[i] as number;
      (min[s] as (number | null)[])[at] = series.min[i] as number;
      (max[s] as (number | null)[])[at] = series.max[i] as number;
    }
  });
  return { x, last, min, max };
}

/**
 * A group of runs as one line: at each x, the mean of the members' values there, with the band from
 * the smallest to the largest member value. Members without a value at an x are left out of it.
 */
export function groupAggregate(
  members: readonly (readonly (number | null)[])[],
  length: number,
): {
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
} {
  const mean = new Array<number | null>(length).fill(null);
  const min = new Array<number | null>(length).fill(null);
  const max = new Array<number | null>(length).fill(null);
  for (let i = 0; i < length; i++) {
    let sum = 0;
    let n = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const values of members) {
      const value = values[i];
      if (value === null || value === undefined || !Number.isFinite(value)) continue;
      sum += value;
      n++;
      if (value < lo) lo = value;
      if (value > hi) hi = value;
    }
    if (n > 0) {
      mean[i] = sum / n;
      min[i] = lo;
      max[i] = hi;
    }
  }
  return { mean, min, max };
}

/** Carries each value forward over the following gaps (a group's members logged at different x). */
export function carryForward(values: readonly (number | null)[]): (number | null)[] {
  let last: number | null = null;
  return values.map((value) => {
    if (value !== null) last = value;
    return last;
  });
}
