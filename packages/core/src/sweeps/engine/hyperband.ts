import type { HyperbandConfig, SweepConfig, TrialView } from "./types.js";

/**
 * Hyperband early termination, as W&B's `hyperband_stopping` decides it: bands are iteration counts
 * (an iteration is the index in the metric's logged history); at each band a running trial must be in
 * the best 1/eta of all trials that reached that band, or it is stopped.
 */

/** W&B's band count when only min_iter is given. */
const MIN_ITER_BANDS = 100;

export function hyperbandBands(config: HyperbandConfig): number[] {
  const eta = config.eta ?? 3;
  const bands: number[] = [];
  if (config.max_iter !== undefined && config.s !== undefined) {
    let band = config.max_iter;
    for (let i = 0; i < config.s; i++) {
      band /= eta;
      if (band < 1) break;
      bands.push(Math.trunc(band));
    }
    return bands.sort((a, b) => a - b);
  }
  if (config.min_iter !== undefined) {
    let band = config.min_iter;
    for (let i = 0; i < MIN_ITER_BANDS; i++) {
      bands.push(Math.trunc(band));
      band *= eta;
    }
  }
  return bands;
}

export function runsToStop(config: SweepConfig, trials: TrialView[]): string[] {
  const hyperband = config.early_terminate;
  const metric = config.metric;
  if (hyperband === undefined || metric === undefined) return [];
  const eta = hyperband.eta ?? 3;
  const strict = hyperband.strict ?? true;
  const bands = hyperbandBands(hyperband);
  // Lower is better from here on.
  const sign = metric.goal === "maximize" ? -1 : 1;
  const histories = new Map(trials.map((trial) => [trial, trial.metricHistory.filter(Number.isFinite).map((v) => sign * v)]));

  const reached = [...histories.values()].filter((history) => history.length > 0);
  const thresholds = bands.map((band) => {
    const atBand = reached.filter((h) => h.length >= band).map((h) => h[band - 1] as number);
    if (atBand.length === 0) return Number.POSITIVE_INFINITY;
    atBand.sort((a, b) => a - b);
    return atBand[Math.trunc((1 / eta) * atBand.length)] as number;
  });

  const stop: string[] = [];
  for (const [trial, history] of histories) {
    if (trial.state !== "running") continue;
    let bandIndex = -1;
    for (let i = 0; i < bands.length && (bands[i] as number) <= history.length; i++) bandIndex = i;
    if (bandIndex === -1) continue;
    const band = bands[bandIndex] as number;
    const value = strict ? (history[band - 1] as number) : history.reduce((best, v) => Math.min(best, v));
    if (value > (thresholds[bandIndex] as number)) stop.push(trial.runId);
  }
  return stop;
}
