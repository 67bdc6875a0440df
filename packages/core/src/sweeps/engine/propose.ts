import { proposeBayes } from "./bayes.js";
import { quantile } from "./distributions.js";
import { proposeGrid } from "./grid.js";
import { leafParameters, nestValues } from "./parameter-space.js";
import type { Proposal, SweepConfig, TrialView } from "./types.js";

/**
 * The next trial's parameters (nested `parameters` give nested objects), or done: the grid is
 * exhausted, `run_cap` trials exist, or a trial reached `metric.target`. `random` is a seeded
 * () => number in [0, 1); every draw comes from it, so a sweep replays from its seed.
 */
export function proposeNext(config: SweepConfig, trials: TrialView[], random: () => number): Proposal {
  if (config.run_cap !== undefined && trials.length >= config.run_cap) {
    return { done: true, reason: `run_cap reached: ${trials.length} of ${config.run_cap} runs` };
  }
  const reachedTarget = targetReachedBy(config, trials);
  if (reachedTarget !== undefined) {
    return { done: true, reason: `metric target reached: run ${reachedTarget} logged ${config.metric?.name} ${config.metric?.target}` };
  }
  switch (config.method) {
    case "grid":
      return proposeGrid(config, trials);
    case "random": {
      const leaves = leafParameters(config.parameters);
      return {
        params: nestValues(
          leaves,
          leaves.map((leaf) => quantile(leaf.spec, random())),
        ),
      };
    }
    case "bayes":
      return proposeBayes(config, trials, random);
  }
}

/** The first trial whose logged metric met the target (≤ it to minimise, ≥ it to maximise). */
function targetReachedBy(config: SweepConfig, trials: readonly TrialView[]): string | undefined {
  const metric = config.metric;
  if (metric?.target === undefined) return undefined;
  const target = metric.target;
  const meets = (value: number) => (metric.goal === "maximize" ? value >= target : value <= target);
  return trials.find((trial) => trial.metricHistory.some((value) => Number.isFinite(value) && meets(value)))?.runId;
}
