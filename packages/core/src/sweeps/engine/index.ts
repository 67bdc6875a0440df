/**
 * W&B's sweep engine as pure functions (no I/O): the config schema, parameter distributions, the
 * grid / random / bayes proposers, hyperband early termination and the trial's command line.
 * The coordination (who asks, under which lock, where trials are kept) lives with the callers.
 */
import { parseSweepConfigWith } from "./config-schema.js";
import type { SweepConfig } from "./types.js";

export { type TrialCommandContext, trialArgsJson, trialCommand } from "./command.js";
export { parseSweepConfigText } from "./config-text.js";
export { hyperbandBands, runsToStop } from "./hyperband.js";
export { proposeNext } from "./propose.js";
export type {
  Distribution,
  HyperbandConfig,
  ImputeStrategy,
  LeafParameterSpec,
  NestedParameters,
  ParameterSpec,
  Proposal,
  SweepConfig,
  SweepMethod,
  SweepMetric,
  TrialState,
  TrialView,
} from "./types.js";

/** Validates W&B's sweep schema; throws RunlogError("SWEEP_CONFIG_INVALID", message naming the path). */
export function parseSweepConfig(input: unknown): SweepConfig {
  return parseSweepConfigWith(input, new Set());
}
