/** What the dashboard reads about a sweep (the server's SweepRecord/TrialRecord, as JSON). */
export type SweepState = "running" | "paused" | "stopped" | "cancelled" | "finished";

export interface SweepConfigView {
  method: string;
  metric?: { name: string; goal?: "minimize" | "maximize"; target?: number };
  parameters: Record<string, ParameterView>;
  early_terminate?: Record<string, unknown>;
  name?: string;
  description?: string;
  run_cap?: number;
  [key: string]: unknown;
}

export type ParameterView = { parameters?: Record<string, ParameterView> } & Record<string, unknown>;

export interface SweepView {
  entity: string;
  project: string;
  id: string;
  state: SweepState;
  config: SweepConfigView;
  createdAt: number;
}

export interface TrialView {
  runId: string;
  params: Record<string, unknown>;
  state: "queued" | "pending" | "running" | "finished" | "failed" | "crashed" | "killed" | "stopped";
  stopRequested: boolean;
  metricHistory: number[];
}

/** The swept parameters with their specs, nested `parameters` flattened with `.` (`optimizer.lr`), in the config's order. */
export function flatParameters(parameters: Record<string, ParameterView>, prefix = ""): [string, ParameterView][] {
  return Object.entries(parameters).flatMap(([name, spec]): [string, ParameterView][] =>
    spec.parameters !== undefined && typeof spec.parameters === "object"
      ? flatParameters(spec.parameters, `${prefix}${name}.`)
      : [[`${prefix}${name}`, spec]],
  );
}

/** The swept parameters' names (see flatParameters). */
export function sweptParameters(parameters: Record<string, ParameterView>): string[] {
  return flatParameters(parameters).map(([name]) => name);
}

/** The controls a sweep in this state offers, as W&B's: pause ⇄ resume, stop (trials end), cancel (trials are stopped too). */
export function sweepActions(state: SweepState): { label: string; state: SweepState }[] {
  const pauseOrResume =
    state === "running"
      ? [{ label: "pause", state: "paused" as const }]
      : state === "paused"
        ? [{ label: "resume", state: "running" as const }]
        : [];
  const stop = state === "running" || state === "paused" ? [{ label: "stop", state: "stopped" as const }] : [];
  const cancel = state === "running" || state === "paused" || state === "stopped" ? [{ label: "cancel", state: "cancelled" as const }] : [];
  return [...pauseOrResume, ...stop, ...cancel];
}

/** A number from a summary value: a `defineMetric` summary (`{ min, max… }`) stands for its first statistic. */
export function metricNumber(value: unknown): number | undefined {
  const number = value !== null && typeof value === "object" ? Object.values(value as Record<string, unknown>)[0] : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}

/** The best of these values for the metric's goal (minimize unless it says maximize); undefined when none has one. */
export function bestOf<T>(items: readonly T[], metricOf: (item: T) => number | undefined, goal: string | undefined): T | undefined {
  const sign = goal === "maximize" ? -1 : 1;
  let best: T | undefined;
  let bestValue = Number.POSITIVE_INFINITY;
  for (const item of items) {
    const value = metricOf(item);
    if (value !== undefined && sign * value < bestValue) {
      best = item;
      bestValue = sign * value;
    }
  }
  return best;
}
