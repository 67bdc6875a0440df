// TEMPORARY stub of the sweeps engine (replaced by the "sweeps-engine" branch at merge). Same
// interface; only grid over `values` lists and random over `values`/`min`/`max`.
import { RunlogError } from "../../errors.js";

export type SweepMethod = "grid" | "random" | "bayes";

export interface SweepMetric {
  readonly name: string;
  readonly goal: "minimize" | "maximize";
  readonly target?: number;
}

export interface SweepConfig {
  readonly method: SweepMethod;
  readonly parameters: Record<string, Record<string, unknown>>;
  readonly metric?: SweepMetric;
  readonly early_terminate?: Record<string, unknown>;
  readonly program?: string;
  readonly command?: string[];
  readonly run_cap?: number;
  readonly name?: string;
  readonly description?: string;
  readonly entity?: string;
  readonly project?: string;
}

export interface TrialView {
  runId: string;
  state: "running" | "finished" | "failed" | "crashed" | "killed" | "stopped";
  params: Record<string, unknown>;
  metricHistory: number[];
}

function invalid(message: string): never {
  throw new RunlogError("SWEEP_CONFIG_INVALID", message);
}

export function parseSweepConfig(input: unknown): SweepConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) invalid("A sweep config is an object.");
  const config = input as Record<string, unknown>;
  if (!["grid", "random", "bayes"].includes(config.method as string)) invalid("method: use grid, random or bayes.");
  const parameters = config.parameters;
  if (typeof parameters !== "object" || parameters === null) invalid("parameters: an object of name → spec is required.");
  for (const [name, spec] of Object.entries(parameters as Record<string, unknown>)) {
    if (typeof spec !== "object" || spec === null) invalid(`parameters.${name}: a spec object is required.`);
    const s = spec as Record<string, unknown>;
    if (!("value" in s) && !Array.isArray(s.values) && !(typeof s.min === "number" && typeof s.max === "number")) {
      invalid(`parameters.${name}: give value, values or min/max.`);
    }
  }
  return config as unknown as SweepConfig;
}

export function parseSweepConfigText(text: string, fileName?: string): SweepConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalid(`${fileName ?? "the config"}: this stub reads JSON only.`);
  }
  return parseSweepConfig(parsed);
}

function choices(spec: Record<string, unknown>): unknown[] {
  if ("value" in spec) return [spec.value];
  if (Array.isArray(spec.values)) return spec.values;
  const min = spec.min as number;
  const max = spec.max as number;
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

export function proposeNext(
  config: SweepConfig,
  trials: TrialView[],
  random: () => number,
): { params: Record<string, unknown> } | { done: true; reason: string } {
  const names = Object.keys(config.parameters);
  if (config.run_cap !== undefined && trials.length >= config.run_cap) return { done: true, reason: "run_cap reached" };
  if (config.method === "grid") {
    const seen = new Set(trials.map((t) => JSON.stringify(names.map((n) => t.params[n]))));
    const lists = names.map((n) => choices(config.parameters[n] as Record<string, unknown>));
    const total = lists.reduce((n, l) => n * l.length, 1);
    for (let index = 0; index < total; index++) {
      let rest = index;
      const point: unknown[] = [];
      for (let i = lists.length - 1; i >= 0; i--) {
        const list = lists[i] as unknown[];
        point[i] = list[rest % list.length];
        rest = Math.floor(rest / list.length);
      }
      if (!seen.has(JSON.stringify(point))) return { params: Object.fromEntries(names.map((n, i) => [n, point[i]])) };
    }
    return { done: true, reason: "grid exhausted" };
  }
  const params: Record<string, unknown> = {};
  for (const name of names) {
    const spec = config.parameters[name] as Record<string, unknown>;
    if ("value" in spec) params[name] = spec.value;
    else if (Array.isArray(spec.values)) params[name] = spec.values[Math.floor(random() * spec.values.length)];
    else {
      const min = spec.min as number;
      const max = spec.max as number;
      params[name] =
        Number.isInteger(min) && Number.isInteger(max) ? min + Math.floor(random() * (max - min + 1)) : min + random() * (max - min);
    }
  }
  return { params };
}

export function runsToStop(_config: SweepConfig, _trials: TrialView[]): string[] {
  return [];
}

const macro = (name: string): string => `\${${name}}`;

export function trialCommand(
  config: SweepConfig,
  params: Record<string, unknown>,
  options: { interpreter?: string; env?: string[]; jsonFile?: string } = {},
): string[] {
  const args = Object.entries(params).map(([k, v]) => `--${k}=${v}`);
  const template = config.command ?? [macro("env"), macro("interpreter"), macro("program"), macro("args")];
  const out: string[] = [];
  for (const part of template) {
    if (part === macro("env")) out.push(...(options.env ?? []));
    else if (part === macro("interpreter")) out.push(options.interpreter ?? "python");
    else if (part === macro("program")) out.push(config.program ?? invalid("program: the command needs a program."));
    else if (part === macro("args")) out.push(...args);
    else out.push(part);
  }
  return out;
}
