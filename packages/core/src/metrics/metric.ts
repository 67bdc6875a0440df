import { describeValue, RunlogError } from "../errors.js";

export type SummaryType = "min" | "max" | "mean" | "first" | "last" | "best" | "none";
export type Goal = "minimize" | "maximize";

export interface DefineMetricOptions {
  stepMetric?: string;
  stepSync?: boolean;
  hidden?: boolean;
  /** One type, a comma-separated list ("min,max") or an array. */
  summary?: string | readonly SummaryType[];
  goal?: Goal | "min" | "max";
  overwrite?: boolean;
}

/** A metric definition, as returned by `run.defineMetric` and stored with the run. */
export interface Metric {
  readonly name: string;
  readonly stepMetric?: string;
  readonly stepSync: boolean;
  readonly hidden: boolean;
  readonly summary: readonly SummaryType[];
  readonly goal?: Goal;
}

const SUMMARY_TYPES: readonly SummaryType[] = ["min", "max", "mean", "first", "last", "best", "none"];
const OPTION_NAMES = new Set(["stepMetric", "stepSync", "hidden", "summary", "goal", "overwrite"]);

function invalid(message: string): never {
  throw new RunlogError("INVALID_ARGUMENT", message);
}

export function validateMetricName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 1024) {
    invalid(`defineMetric needs a metric name of 1–1024 characters, got ${describeValue(name)}.`);
  }
  const star = name.indexOf("*");
  if (star !== -1 && star !== name.length - 1) {
    invalid(`defineMetric("${name}"): "*" is only allowed as the last character (glob suffixes only, e.g. "val/*").`);
  }
  return name;
}

function parseSummary(summary: unknown): SummaryType[] {
  const parts = typeof summary === "string" ? summary.split(",") : summary;
  if (!Array.isArray(parts)) invalid(`summary must be a string like "min,max" or an array, got ${describeValue(summary)}.`);
  const out: SummaryType[] = [];
  for (const raw of parts) {
    const part = typeof raw === "string" ? raw.trim().toLowerCase() : raw;
    if (!SUMMARY_TYPES.includes(part as SummaryType)) {
      invalid(`Unknown summary type ${describeValue(raw)}: use ${SUMMARY_TYPES.join(", ")}.`);
    }
    if (!out.includes(part as SummaryType)) out.push(part as SummaryType);
  }
  return out;
}

function parseGoal(goal: unknown): Goal {
  const prefix = typeof goal === "string" ? goal.slice(0, 3).toLowerCase() : "";
  if (prefix === "min") return "minimize";
  if (prefix === "max") return "maximize";
  return invalid(`goal must be "minimize" or "maximize", got ${describeValue(goal)}.`);
}

/**
 * Builds the new definition from options, merged with `previous` unless `overwrite`:
 * summary types are OR-ed together; `stepSync` and `hidden` are sticky (W&B semantics).
 */
export function buildMetric(name: string, options: DefineMetricOptions, previous: Metric | undefined): Metric {
  if (typeof options !== "object" || options === null) invalid("defineMetric options must be an object.");
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) invalid(`Unknown defineMetric option "${key}". Known: ${[...OPTION_NAMES].join(", ")}.`);
  }
  if (options.stepMetric !== undefined) validateMetricName(options.stepMetric);
  if (options.stepMetric?.endsWith("*")) invalid("stepMetric cannot be a glob.");
  for (const flag of ["stepSync", "hidden", "overwrite"] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== "boolean") {
      invalid(`${flag} must be a boolean, got ${describeValue(options[flag])}.`);
    }
  }
  const summary = options.summary === undefined ? [] : parseSummary(options.summary);
  const goal = options.goal === undefined ? undefined : parseGoal(options.goal);
  const base = options.overwrite ? undefined : previous;
  const stepMetric = options.stepMetric ?? base?.stepMetric;
  const mergedSummary = [...(base?.summary ?? [])];
  for (const type of summary) if (!mergedSummary.includes(type)) mergedSummary.push(type);
  const metric: Metric = {
    name,
    ...(stepMetric === undefined ? {} : { stepMetric }),
    stepSync: Boolean(base?.stepSync) || (options.stepSync ?? options.stepMetric !== undefined),
    hidden: Boolean(base?.hidden) || (options.hidden ?? false),
    summary: Object.freeze(mergedSummary),
    ...((goal ?? base?.goal) === undefined ? {} : { goal: goal ?? base?.goal }),
  };
  return Object.freeze(metric);
}
