import { describeValue } from "../../errors.js";
import { hyperbandBands } from "./hyperband.js";
import { parseParameters } from "./parameter-schema.js";
import { leafParameters } from "./parameter-space.js";
import type { HyperbandConfig, SweepConfig, SweepMetric } from "./types.js";
import {
  expectInteger,
  expectNumber,
  expectObject,
  expectOneOf,
  expectString,
  type FloatLiterals,
  invalid,
  join,
  rejectUnknownKeys,
} from "./validation.js";

/**
 * W&B's sweep schema (its `sweeps` package's schema.json and validators), plus the checks W&B only
 * makes once the sweep runs (bayes needs a metric, grid needs discrete parameters, hyperband needs
 * a metric and at least one band), so a bad config fails when it is created, with one error.
 */

const TOP_LEVEL = [
  "method",
  "parameters",
  "metric",
  "early_terminate",
  "program",
  "command",
  "run_cap",
  "name",
  "description",
  "entity",
  "project",
  // W&B's bookkeeping keys: accepted and dropped (Runlog's controller is always local).
  "apiVersion",
  "kind",
  "controller",
] as const;

/** W&B keys for W&B Launch's schedulers and jobs, which Runlog does not have. */
const UNSUPPORTED = ["job", "image_uri", "scheduler", "metrics"];

const STRING_KEYS = ["program", "name", "description", "entity", "project"] as const;

export function parseSweepConfigWith(input: unknown, floats: FloatLiterals): SweepConfig {
  const raw = expectObject(input, "sweep config");
  for (const key of Object.keys(raw)) {
    if (UNSUPPORTED.includes(key)) throw invalid(key, "is a W&B Launch setting, which Runlog does not support; remove it");
  }
  rejectUnknownKeys(raw, TOP_LEVEL, "", "a sweep config");
  if (raw.method === "custom")
    throw invalid("method", "custom needs W&B Launch's scheduler, which Runlog does not support; use grid, random or bayes");
  const method = expectOneOf(raw.method, ["grid", "random", "bayes"] as const, "method");
  if (raw.parameters === undefined) throw invalid("parameters", "is required: name at least one parameter to sweep");
  const config: SweepConfig = { method, parameters: parseParameters(raw.parameters, "parameters", floats) };

  if (raw.metric !== undefined) config.metric = parseMetric(raw.metric);
  if (raw.early_terminate !== undefined) config.early_terminate = parseEarlyTerminate(raw.early_terminate, floats);
  for (const key of STRING_KEYS) {
    if (raw[key] !== undefined) config[key] = expectString(raw[key], key);
  }
  if (raw.command !== undefined) config.command = parseCommand(raw.command);
  if (raw.run_cap !== undefined) {
    const runCap = expectInteger(raw.run_cap, "run_cap", floats);
    if (runCap <= 0) throw invalid("run_cap", `must be > 0 (got ${runCap})`);
    config.run_cap = runCap;
  }
  checkMethod(config);
  return config;
}

function parseMetric(raw: unknown): SweepMetric {
  const metric = expectObject(raw, "metric");
  rejectUnknownKeys(metric, ["name", "goal", "target", "impute", "impute_while_running"], "metric", "metric");
  if (metric.name === undefined) throw invalid("metric.name", "is required: the logged key to optimise");
  const parsed: SweepMetric = {
    name: expectString(metric.name, "metric.name"),
    goal: metric.goal === undefined ? "minimize" : expectOneOf(metric.goal, ["minimize", "maximize"] as const, "metric.goal"),
    impute: metric.impute === undefined ? "worst" : expectOneOf(metric.impute, ["worst", "best", "latest"] as const, "metric.impute"),
    impute_while_running:
      metric.impute_while_running === undefined
        ? "false"
        : expectOneOf(metric.impute_while_running, ["worst", "best", "latest", "false"] as const, "metric.impute_while_running"),
  };
  if (metric.target !== undefined) parsed.target = expectNumber(metric.target, "metric.target");
  return parsed;
}

function parseEarlyTerminate(raw: unknown, floats: FloatLiterals): HyperbandConfig {
  const path = "early_terminate";
  const spec = expectObject(raw, path);
  rejectUnknownKeys(spec, ["type", "min_iter", "max_iter", "s", "eta", "strict"], path, "early_terminate");
  expectOneOf(spec.type, ["hyperband"] as const, join(path, "type"));
  const config: HyperbandConfig = { type: "hyperband", eta: 3, strict: true };
  if (spec.eta !== undefined) {
    const eta = expectNumber(spec.eta, join(path, "eta"));
    if (eta <= 1) throw invalid(join(path, "eta"), `must be > 1 (got ${eta})`);
    config.eta = eta;
  }
  if (spec.strict !== undefined) {
    if (typeof spec.strict !== "boolean") throw invalid(join(path, "strict"), `must be true or false (got ${describeValue(spec.strict)})`);
    config.strict = spec.strict;
  }
  if (spec.min_iter !== undefined) {
    const minIter = expectInteger(spec.min_iter, join(path, "min_iter"), floats);
    if (minIter < 1) throw invalid(join(path, "min_iter"), `must be ≥ 1 (got ${minIter})`);
    config.min_iter = minIter;
  }
  if (spec.max_iter !== undefined) config.max_iter = expectInteger(spec.max_iter, join(path, "max_iter"), floats);
  // W&B's `range(s)` needs a whole number, though its schema says "number".
  if (spec.s !== undefined) config.s = expectInteger(spec.s, join(path, "s"), floats);
  if (config.min_iter === undefined && (config.max_iter === undefined || config.s === undefined)) {
    throw invalid(path, "needs min_iter, or max_iter and s");
  }
  if (hyperbandBands(config).length === 0) {
    throw invalid(path, "gives no band (max_iter / eta < 1): increase max_iter or s, or decrease eta");
  }
  return config;
}

function parseCommand(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw invalid("command", `must be a list of strings (got ${describeValue(raw)})`);
  return raw.map((chunk, i) => expectString(chunk, `command[${i}]`));
}

function checkMethod(config: SweepConfig): void {
  if (config.method === "bayes" && config.metric === undefined) {
    throw invalid("metric", "is required for method bayes: name the metric and its goal");
  }
  if (config.early_terminate !== undefined && config.metric === undefined) {
    throw invalid("metric", "is required for early_terminate: name the metric hyperband compares");
  }
  const leaves = leafParameters(config.parameters);
  if (config.method === "grid") {
    for (const { path, spec } of leaves) {
      if (!["constant", "categorical", "int_uniform", "q_uniform"].includes(spec.distribution)) {
        throw invalid(
          `parameters.${path.join(".parameters.")}`,
          `is ${spec.distribution}: grid takes only value, values, int_uniform or q_uniform parameters (use random or bayes)`,
        );
      }
    }
  }
  if (config.method === "bayes" && !leaves.some(({ spec }) => spec.distribution !== "constant")) {
    throw invalid("parameters", "has nothing to search: bayes needs at least one parameter that is not a constant");
  }
}
