import { RunlogError } from "../../errors.js";
import { pythonJsonDumps, pythonStr } from "./python-format.js";
import type { SweepConfig } from "./types.js";

/**
 * A trial's argv from the config's `command`, with W&B's agent's macros. A chunk that is exactly
 * `${name}` becomes that macro's list (an unknown macro: nothing, as W&B); `${envvar:NAME}`
 * inside any chunk becomes the variable's value, or NAME when it is unset.
 */

/** `${name}`, written so that it does not read as a mistaken template literal. */
const macro = (name: string) => `\${${name}}`;

export const DEFAULT_COMMAND = ["env", "interpreter", "program", "args"].map(macro);

const ENVVAR = /\$\{envvar:([A-Z0-9_]*)\}/g;

export interface TrialCommandContext {
  /** default "python", as W&B's agent */
  interpreter?: string;
  /** what `${envvar:NAME}` reads */
  env?: Record<string, string>;
  /** where the agent wrote `trialArgsJson(params)`, for `${args_json_file}` */
  jsonFile?: string;
}

/** The trial's params as `${args_json}` and the `${args_json_file}` file hold them. */
export function trialArgsJson(params: Record<string, unknown>): string {
  return pythonJsonDumps(sortedTopLevel(params));
}

export function trialCommand(config: SweepConfig, params: Record<string, unknown>, context: TrialCommandContext): string[] {
  const env = context.env ?? {};
  const chunks = (config.command ?? DEFAULT_COMMAND).map((chunk) => chunk.replace(ENVVAR, (_, name: string) => env[name] ?? name));
  const macros = macroValues(config, params, context);
  return chunks.flatMap((chunk) => {
    if (!(chunk.startsWith("${") && chunk.endsWith("}"))) return [chunk];
    const name = chunk.slice(2, -1);
    return Object.hasOwn(macros, name) ? (macros[name] as () => string[])() : [];
  });
}

function macroValues(config: SweepConfig, params: Record<string, unknown>, context: TrialCommandContext): Record<string, () => string[]> {
  const entries = Object.entries(sortedTopLevel(params)).map(([name, value]) => ({ name, text: pythonStr(value), value }));
  return {
    env: () => ["/usr/bin/env"],
    interpreter: () => [context.interpreter ?? "python"],
    program: () => {
      if (config.program === undefined) {
        throw new RunlogError(
          "SWEEP_CONFIG_INVALID",
          `program is not set, but the command uses ${macro("program")}: add "program: train.py" to the sweep config`,
        );
      }
      return [config.program];
    },
    args: () => entries.map(({ name, text }) => `--${name}=${text}`),
    args_no_equals: () => entries.flatMap(({ name, text }) => [`--${name}`, text]),
    args_no_hyphens: () => entries.map(({ name, text }) => `${name}=${text}`),
    args_no_boolean_flags: () =>
      entries.flatMap(({ name, text, value }) => (typeof value === "boolean" ? (value ? [`--${name}`] : []) : [`--${name}=${text}`])),
    args_json: () => [trialArgsJson(params)],
    args_json_file: () => {
      if (context.jsonFile === undefined) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `the command uses ${macro("args_json_file")}: pass context.jsonFile, the file holding trialArgsJson(params)`,
        );
      }
      return [context.jsonFile];
    },
    args_append_hydra: () => entries.map(({ name, text }) => `+${name}=${text}`),
    args_override_hydra: () => entries.map(({ name, text }) => `++${name}=${text}`),
  };
}

/** W&B's server hands the agent the run config with its keys sorted. */
function sortedTopLevel(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(params)
      .sort()
      .map((key) => [key, params[key]]),
  );
}
