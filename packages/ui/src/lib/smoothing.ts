/** Chart smoothing as W&B users know it. Every function keeps NaN points as gaps and returns a new array. */

export type Smoothing =
  | { kind: "none" }
  | { kind: "ema"; weight: number }
  | { kind: "gaussian"; sigma: number }
  | { kind: "average"; window: number };

const VIEWPORT_SCALE = 1000;

/**
 * Time-weighted EMA with debiasing (W&B's default): the decay follows the x distance between
 * points, so unevenly spaced or bucketed points smooth the same way, and early points are not
 * pulled towards 0. `weight` is in [0, 1); 0 leaves the data unchanged.
 */
export function emaSmooth(xs: ArrayLike<number>, ys: ArrayLike<number>, weight: number): number[] {
  const n = ys.length;
  const decay = Math.min(Math.sqrt(Math.max(weight, 0)), 0.999);
  const range = n > 1 ? (xs[n - 1] as number) - (xs[0] as number) : 1;
  const out = new Array<number>(n);
  let last = 0;
  let debias = 0;
  let prevX = n > 0 ? (xs[0] as number) : 0;
  for (let i = 0; i < n; i++) {
    const y = ys[i] as number;
    const x = xs[i] as number;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    const adjusted = decay ** (range > 0 ? ((x - prevX) / range) * VIEWPORT_SCALE : 1);
    last = last * adjusted + y;
    debias = debias * adjusted + 1;
    prevX = x;
    out[i] = last / debias;
  }
  return out;
}

/** Gaussian kernel average with standard deviation `sigma` in x units (window ±3σ). */
export function gaussianSmooth(xs: ArrayLike<number>, ys: ArrayLike<number>, sigma: number): number[] {
  const n = ys.length;
  if (!(sigma > 0)) return Array.from(ys);
  const out = new Array<number>(n);
  let lo = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    if (!Number.isFinite(ys[i] as number)) {
      out[i] = ys[i] as number;
      continue;
    }
    while ((xs[lo] as number) < x - 3 * sigma) lo++;
    let sum = 0;
    let weights = 0;
    for (let j = lo; j < n && (xs[j] as number) <= x + 3 * sigma; j++) {
      const y = ys[j] as number;
      if (!Number.isFinite(y)) continue;
      const d = ((xs[j] as number) - x) / sigma;
      const w = Math.exp(-0.5 * d * d);
      sum += w * y;
      weights += w;
    }
    out[i] = sum / weights;
  }
  return out;
}

/** Centered running average over `window` points (finite points only). */
export function runningAverage(ys: ArrayLike<number>, window: number): number[] {
  const n = ys.length;
  const half = Math.max(0, Math.floor((Math.max(1, Math.round(window)) - 1) / 2));
  const prefix = new Float64Array(n + 1);
  const counts = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const y = ys[i] as number;
    const finite = Number.isFinite(y);
    prefix[i + 1] = (prefix[i] as number) + (finite ? y : 0);
    counts[i + 1] = (counts[i] as number) + (finite ? 1 : 0);
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(ys[i] as number)) {
      out[i] = ys[i] as number;
      continue;
    }
    const a = Math.max(0, i - half);
    const b = Math.min(n, i + half + 1);
    out[i] = ((prefix[b] as number) - (prefix[a] as number)) / ((counts[b] as number) - (counts[a] as number));
  }
  return out;
}

export function smooth(xs: ArrayLike<number>, ys: ArrayLike<number>, smoothing: Smoothing): number[] {
  switch (smoothing.kind) {
    case "ema":
      return emaSmooth(xs, ys, smoothing.weight);
    case "gaussian":
      return gaussianSmooth(xs, ys, smoothing.sigma);
    case "average":
      return runningAverage(ys, smoothing.window);
    default:
      return Array.from(ys);
  }
}
