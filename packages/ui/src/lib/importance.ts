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
  // No out-of-bag predictions (unused here): a small sweep's bootstrap sample can hold every run,
  // and ml-random-forest then fails on the empty out-of-bag matrix ("column indices are out of range").
  const forest = new RandomForestRegression({
    nEstimators: 100,
    seed: 42,
    maxFeatures: 1.0,
    replacement: true,
    useSampleBagging: true,
    noOOB: true,
  });
  forest.train(X, y);
  const importance = forestImportance(forest as unknown as TrainedForest, names.length);
  return names
    .map((param, i) => ({
      param,
      importance: Number.isFinite(importance[i]) ? (importance[i] as number) : 0,
      correlation: pearson(columns[i] as number[], y),
    }))
    .sort((a, b) => b.importance - a.importance);
}

/** What ml-random-forest 2.1 keeps after training (in its code, not its .d.ts). */
interface TreeNode {
  splitColumn?: number;
  gain?: number;
  numberSamples?: number;
  left?: TreeNode;
  right?: TreeNode;
}
interface TrainedForest {
  estimators: { root: TreeNode }[];
  /** Per tree, the feature index of each of its columns. */
  indexes: number[][];
}

/**
 * ml-random-forest's featureImportance(), tree by tree as it computes it, but averaged over the
 * trees that have any: the library divides a tree with no scoring split (common in a small sweep,
 * where a bootstrap sample can split perfectly) by zero, and one such tree turns every answer NaN.
 */
function forestImportance(forest: TrainedForest, features: number): number[] {
  const total = new Array<number>(features).fill(0);
  forest.estimators.forEach((tree, t) => {
    const perColumn = new Array<number>(features).fill(0);
    // A node that found no split has gain Infinity; the library's JSON copy makes that null, i.e. 0.
    const gainOf = (node: TreeNode | undefined) => (Number.isFinite(node?.gain) ? (node?.gain as number) : 0);
    const visit = (node: TreeNode | undefined) => {
      if (node?.splitColumn === undefined || !(gainOf(node) > 0)) return;
      const weighted = (child: TreeNode | undefined) => gainOf(child) * (child?.numberSamples ?? 0);
      perColumn[node.splitColumn] =
        (perColumn[node.splitColumn] as number) + gainOf(node) * (node.numberSamples ?? 0) - weighted(node.left) - weighted(node.right);
      visit(node.left);
      visit(node.right);
    };
    visit(tree.root);
    const sum = perColumn.reduce((a, b) => a + b, 0);
    if (sum === 0 || !Number.isFinite(sum)) return;
    perColumn.forEach((value, column) => {
      const feature = forest.indexes[t]?.[column] as number;
      total[feature] = (total[feature] as number) + value / sum;
    });
  });
  const sum = total.reduce((a, b) => a + b, 0);
  return total.map((value) => (sum === 0 ? 0 : value / sum));
}
