import { canonicalKey } from "./canonical.js";
import { cdf, quantile } from "./distributions.js";
import { type FittedProcess, fitNormalisedProcess, STD_EPSILON } from "./gaussian-process.js";
import { stats } from "./lazy-deps.js";
import { type LeafParameter, leafParameters, nestValues, valueAt } from "./parameter-space.js";
import type { ImputeStrategy, Proposal, SweepConfig, SweepMetric, TrialView } from "./types.js";

/**
 * Bayesian search as W&B's `bayes_search` does it: trials mapped into [0, 1]^d through each
 * parameter's CDF, y = each trial's best metric (imputed for failed ones), a Gaussian process on at
 * most 100 of them with in-flight trials added at their predicted y, and the candidate with the best
 * expected improvement among 1,000 random ones. Fewer than 2 usable trials: a random point.
 */

const MAX_SAMPLES = 100;
const CANDIDATES = 1000;

type Random = () => number;

export function proposeBayes(config: SweepConfig, trials: TrialView[], random: Random): Proposal {
  const metric = config.metric as SweepMetric;
  const leaves = leafParameters(config.parameters);
  const searchable = leaves.filter((leaf) => leaf.spec.distribution !== "constant");
  const { sampleX, sampleY, currentX } = trainingData(metric, searchable, trials);
  const point = nextPoint(sampleX, sampleY, currentX, searchable.length, random);
  const values = leaves.map((leaf) => {
    const index = searchable.indexOf(leaf);
    return index === -1 ? quantile(leaf.spec, 0) : quantile(leaf.spec, point[index] as number);
  });
  return { params: nestValues(leaves, values) };
}

function nextPoint(sampleX: number[][], sampleY: number[], currentX: number[][], dims: number, random: Random): number[] {
  const randomPoint = () => Array.from({ length: dims }, () => random());
  if (sampleX.length < 2) return randomPoint();
  let X = sampleX;
  let y = sampleY;
  if (X.length > MAX_SAMPLES) {
    // W&B draws the subset with replacement (numpy.random.randint).
    const picks = Array.from({ length: MAX_SAMPLES }, () => Math.floor(random() * sampleX.length));
    X = picks.map((i) => sampleX[i] as number[]);
    y = picks.map((i) => sampleY[i] as number);
  }
  let gp = fitNormalisedProcess(X, y);
  const inFlight = currentX.slice(0, MAX_SAMPLES - 5);
  if (gp !== undefined && inFlight.length > 0) {
    const fitted: FittedProcess = gp;
    const fantasies = fitted.predict(inFlight).mean.map((m) => m * fitted.yStd + fitted.yMean);
    const keep = fantasies.map(Number.isFinite);
    gp = fitNormalisedProcess([...X, ...inFlight.filter((_, i) => keep[i])], [...y, ...fantasies.filter((_, i) => keep[i])]);
  }
  if (gp === undefined) return randomPoint();
  const candidates = Array.from({ length: CANDIDATES }, randomPoint);
  const { mean, std } = gp.predict(candidates);
  const bestNorm = (sampleY.reduce((a, b) => Math.min(a, b)) - gp.yMean) / gp.yStd;
  let bestIndex = 0;
  let bestImprovement = Number.NEGATIVE_INFINITY;
  const { normalCdf, normalPdf } = stats();
  mean.forEach((m, i) => {
    const s = std[i] as number;
    const z = -(m - bestNorm) / (s + STD_EPSILON);
    const improvement = -(m - bestNorm) * normalCdf(z, 0, 1) + s * normalPdf(z, 0, 1);
    if (improvement > bestImprovement) [bestIndex, bestImprovement] = [i, improvement];
  });
  // A length scale at its bound is a bad fit: W&B then takes a random candidate instead.
  if (gp.atBound) bestIndex = Math.floor(random() * (CANDIDATES - 1));
  return candidates[bestIndex] as number[];
}

interface TrainingData {
  sampleX: number[][];
  /** lower is better (negated for maximize) */
  sampleY: number[];
  currentX: number[][];
}

function trainingData(metric: SweepMetric, searchable: readonly LeafParameter[], trials: readonly TrialView[]): TrainingData {
  const goal = metric.goal;
  const impute = metric.impute ?? "worst";
  const whileRunning = metric.impute_while_running ?? "false";
  const worst = worstMetric(goal, trials);
  const sampleX: number[][] = [];
  const sampleY: number[] = [];
  const currentX: number[][] = [];
  for (const trial of trials) {
    const x = normalise(searchable, trial.params);
    if (!x.every(Number.isFinite)) continue; // W&B's filter_nans
    let y: number | undefined;
    if (trial.state === "finished" || trial.state === "stopped") y = best(goal, trial) ?? imputed(impute, goal, trial, worst);
    else if (trial.state === "running") {
      if (whileRunning === "false") currentX.push(x);
      else y = best(goal, trial) ?? imputed(whileRunning, goal, trial, worst);
    } else y = imputed(impute, goal, trial, worst);
    if (y === undefined) continue;
    if (!Number.isFinite(y)) y = worst;
    sampleX.push(x);
    sampleY.push(goal === "maximize" ? -y : y);
  }
  return { sampleX, sampleY, currentX };
}

function finite(trial: TrialView): number[] {
  return trial.metricHistory.filter(Number.isFinite);
}

/** The trial's best logged value for the goal, or undefined when it logged none. */
function best(goal: SweepMetric["goal"], trial: TrialView): number | undefined {
  const values = finite(trial);
  if (values.length === 0) return undefined;
  return values.reduce((a, b) => (goal === "maximize" ? Math.max(a, b) : Math.min(a, b)));
}

/** W&B's "worst": the worst of the ended trials' worst values; 0 when none logged any. */
function worstMetric(goal: SweepMetric["goal"], trials: readonly TrialView[]): number {
  let worst: number | undefined;
  for (const trial of trials) {
    if (trial.state === "running") continue;
    const values = finite(trial);
    if (values.length === 0) continue;
    const trialWorst = values.reduce((a, b) => (goal === "maximize" ? Math.min(a, b) : Math.max(a, b)));
    worst = worst === undefined ? trialWorst : goal === "maximize" ? Math.min(worst, trialWorst) : Math.max(worst, trialWorst);
  }
  return worst ?? 0;
}

function imputed(strategy: ImputeStrategy, goal: SweepMetric["goal"], trial: TrialView, worst: number): number {
  if (strategy === "worst") return worst;
  if (strategy === "best") return best(goal, trial) ?? 0;
  return finite(trial).at(-1) ?? 0;
}

/** A trial's point in [0, 1]^d; a parameter the trial lacks sits at the CDF of 0, as in W&B. */
function normalise(searchable: readonly LeafParameter[], params: Record<string, unknown>): number[] {
  return searchable.map(({ path, spec }) => {
    const found = valueAt(params, path);
    const value = found.found ? found.value : 0;
    if (spec.distribution === "categorical" || spec.distribution === "categorical_w_probabilities") {
      if (!found.found) return cdf(spec, 0);
      const key = canonicalKey(value);
      const index = spec.values.findIndex((option) => canonicalKey(option) === key);
      return index === -1 ? Number.NaN : cdf(spec, index);
    }
    return typeof value === "number" ? cdf(spec, value) : Number.NaN;
  });
}
