/** The sweep config as W&B's `sweeps` package defines it, after validation and defaults. */

export type SweepMethod = "grid" | "random" | "bayes";

export type ImputeStrategy = "worst" | "best" | "latest";

/** One swept parameter, normalised: `distribution` is always filled in, with W&B's defaults. */
export type ParameterSpec =
  | { distribution: "constant"; value: unknown }
  | { distribution: "categorical"; values: unknown[] }
  | { distribution: "categorical_w_probabilities"; values: unknown[]; probabilities: number[] }
  | { distribution: "int_uniform"; min: number; max: number }
  | {
      distribution: "uniform" | "log_uniform" | "log_uniform_values" | "inv_log_uniform" | "inv_log_uniform_values";
      min: number;
      max: number;
    }
  | { distribution: "q_uniform" | "q_log_uniform" | "q_log_uniform_values"; min: number; max: number; q: number }
  | { distribution: "normal" | "log_normal"; mu: number; sigma: number }
  | { distribution: "q_normal" | "q_log_normal"; mu: number; sigma: number; q: number }
  | { distribution: "beta"; a: number; b: number }
  | { distribution: "q_beta"; a: number; b: number; q: number }
  | NestedParameters;

/** A parameter whose value is an object of further swept parameters. */
export interface NestedParameters {
  distribution?: undefined;
  parameters: Record<string, ParameterSpec>;
}

export type Distribution = Exclude<ParameterSpec["distribution"], undefined>;

/** A parameter that draws one value (every form but nested `parameters`). */
export type LeafParameterSpec = Exclude<ParameterSpec, NestedParameters>;

export interface SweepMetric {
  name: string;
  goal: "minimize" | "maximize";
  target?: number;
  /** default "worst" */
  impute?: ImputeStrategy;
  /** default "false" */
  impute_while_running?: ImputeStrategy | "false";
}

export interface HyperbandConfig {
  type: "hyperband";
  min_iter?: number;
  max_iter?: number;
  s?: number;
  /** default 3 */
  eta?: number;
  /** default true */
  strict?: boolean;
}

export interface SweepConfig {
  method: SweepMethod;
  parameters: Record<string, ParameterSpec>;
  metric?: SweepMetric;
  early_terminate?: HyperbandConfig;
  program?: string;
  command?: string[];
  run_cap?: number;
  name?: string;
  description?: string;
  entity?: string;
  project?: string;
}

export type TrialState = "running" | "finished" | "failed" | "crashed" | "killed" | "stopped";

/** What the engine sees of each trial so far. */
export interface TrialView {
  runId: string;
  state: TrialState;
  params: Record<string, unknown>;
  /** the sweep metric's logged values in history order (one per row where it was logged) */
  metricHistory: number[];
}

export type Proposal = { params: Record<string, unknown> } | { done: true; reason: string };
