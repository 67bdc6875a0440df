import { RandomForestRegression } from "ml-random-forest";

export interface ParameterImportance {
  readonly param: string;
  /** Share of the forest's impurity reduction due to this parameter (all parameters sum to 1). */
  readonly importance: number;
  /** Pearson correlation of the parameter with the metric (categories by their sorted index). */
  readonly correlation: number;
}

/** A parameter's values as numbers: numbers as they are, booleans 0/1, anything else by sorted category. */
function encode(values: readonly unknown[]): number[] {
  if (values.every((v) => typeof v === "number" && Number.isFinite(v))) return values as number[];
  if (values.every((v) => typeof v === "boolean")) return values.map((v) => (v ? 1 : 0));
  const categories = [...new Set(values.map((v) => JSON.stringify(v)))].sort();
  return values.map((v) => categories.indexOf(JSON.stringify(v)));
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/**
 * W&B's parameter importance panel: for a metric, each parameter's correlation with it and its
 * importance in a random forest fitted to predict the metric from all parameters (mljs's
 * ml-random-forest, seeded, so the same runs give the same answer). Runs without the metric, and
 * parameters that never vary, are left out; fewer than 3 runs give no answer.
 */
export function parameterImportance(
  runs: readonly { params: Readonly<Record<string, unknown>>; metric: number | undefined }[],
): ParameterImportance[] {
  const usable = runs.filter(
    (run): run is { params: Record<string, unknown>; metric: number } => typeof run.metric === "number" && Number.isFinite(run.metric),
  );
  if (usable.length < 3) return [];
  const names = [...new Set(usable.flatMap((run) => Object.keys(run.params)))].sort().filter((name) => {
    const seen = new Set(usable.map((run) => JSON.stringify(run.params[name] ?? null)));
    return seen.size > 1 && usable.every((run) => run.params[name] !== undefined);
  });
  if (names.length === 0) return [];
  const columns = names.map((name) => encode(usable.map((run) => run.params[name])));
  const y = usable.map((run) => run.metric);
  const X = usable.map((_, r) => columns.map((column) => column[r] as number));
  const forest = new RandomForestRegression({ nEstimators: 100, seed: 42, maxFeatures: 1.0, replacement: true, useSampleBagging: true });
  forest.train(X, y);
  // featureImportance() is in ml-random-forest 2.1's code but not in its .d.ts.
  const importance = (forest as unknown as { featureImportance(): number[] }).featureImportance();
  return names
    .map((param, i) => ({
      param,
      importance: Number.isFinite(importance[i]) ? (importance[i] as number) : 0,
      correlation: pearson(columns[i] as number[], y),
    }))
    .sort((a, b) => b.importance - a.importance);
}
