import { describeValue, RunlogError } from "../errors.js";
import type { Settings } from "./settings.js";

export type RunMode = "local" | "online" | "offline" | "disabled";
export type ResumeMode = "allow" | "must" | "never" | "auto";
export type ReinitMode = "default" | "return_previous" | "finish_previous" | "create_new";

export interface InitOptions {
  project?: string;
  entity?: string;
  name?: string;
  notes?: string;
  tags?: readonly string[];
  group?: string;
  jobType?: string;
  config?: Record<string, unknown>;
  /** Keys of `config` left out of the run's config (W&B's `config_exclude_keys`). */
  configExcludeKeys?: readonly string[];
  /** Only these keys of `config` go into the run's config (W&B's `config_include_keys`). */
  configIncludeKeys?: readonly string[];
  id?: string;
  dir?: string;
  /** `"shared"`: one of several processes writing the run `id` at once, on the embedded store (see `label`, `primary`). */
  mode?: RunMode | "shared";
  /** mode "shared": this writer's name in the run (e.g. "rank_0"); each live writer needs its own. */
  label?: string;
  /** mode "shared": this writer describes the run (config, metadata) and finishing it finishes the run. */
  primary?: boolean;
  resume?: ResumeMode | boolean;
  /** `"<id>?_step=<n>"`: rewind run <id> to step n and continue it. */
  resumeFrom?: string;
  /** `"<id>?_step=<n>"`: start a new run holding <id>'s history up to step n. */
  forkFrom?: string;
  settings?: Partial<Settings>;
  /** Accepted as W&B's init(allow_val_change): it does not loosen later config changes (each update passes its own). */
  allowValChange?: boolean;
  reinit?: ReinitMode | boolean;
  /** mode "online": the runlog server, e.g. "http://runlog.internal:8080" (RUNLOG_BASE_URL). */
  baseUrl?: string;
  /** mode "online": a write key for the run's entity (RUNLOG_API_KEY). */
  apiKey?: string;
}

const OPTION_NAMES = new Set<string>([
  "project",
  "entity",
  "name",
  "notes",
  "tags",
  "group",
  "jobType",
  "config",
  "configExcludeKeys",
  "configIncludeKeys",
  "id",
  "dir",
  "mode",
  "label",
  "primary",
  "resume",
  "resumeFrom",
  "forkFrom",
  "settings",
  "allowValChange",
  "reinit",
  "baseUrl",
  "apiKey",
]);

export function checkOptionNames(options: unknown): InitOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new RunlogError("INVALID_ARGUMENT", `init options must be an object, got ${describeValue(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) {
      throw new RunlogError("INVALID_ARGUMENT", `Unknown init option "${key}". Known options: ${[...OPTION_NAMES].join(", ")}.`);
    }
  }
  return options as InitOptions;
}

/** init's `config` less `configExcludeKeys`, or only `configIncludeKeys` (one of the two, as in W&B). */
export function initConfig(opts: InitOptions): Record<string, unknown> | undefined {
  const { config, configExcludeKeys: exclude, configIncludeKeys: include } = opts;
  for (const [name, keys] of [
    ["configExcludeKeys", exclude],
    ["configIncludeKeys", include],
  ] as const) {
    if (keys !== undefined && !(Array.isArray(keys) && keys.every((key) => typeof key === "string"))) {
      throw new RunlogError("INVALID_ARGUMENT", `${name} must be an array of config keys, got ${describeValue(keys)}.`);
    }
  }
  if (exclude !== undefined && include !== undefined) {
    throw new RunlogError("INVALID_ARGUMENT", "configExcludeKeys and configIncludeKeys cannot be used together: pass one of them.");
  }
  if (config === undefined || config === null || typeof config !== "object" || (exclude === undefined && include === undefined))
    return config;
  return Object.fromEntries(Object.entries(config).filter(([key]) => (include ? include.includes(key) : !exclude?.includes(key))));
}

export function resolveMode(value: unknown): RunMode {
  const mode = value ?? "local";
  if (mode !== "local" && mode !== "online" && mode !== "offline" && mode !== "disabled") {
    throw new RunlogError("INVALID_ARGUMENT", `mode must be "local", "online", "offline" or "disabled", got ${describeValue(mode)}.`);
  }
  return mode;
}

export function resolveResume(value: unknown): ResumeMode | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return "auto";
  if (value === "allow" || value === "must" || value === "never" || value === "auto") return value;
  throw new RunlogError("INVALID_ARGUMENT", `resume must be "allow", "must", "never", "auto" or a boolean, got ${describeValue(value)}.`);
}

export function resolveReinit(value: unknown): Exclude<ReinitMode, "default"> {
  if (value === undefined || value === "default" || value === false) return "return_previous";
  if (value === true) return "finish_previous";
  if (value === "return_previous" || value === "finish_previous" || value === "create_new") return value;
  throw new RunlogError(
    "INVALID_ARGUMENT",
    `reinit must be "default", "return_previous", "finish_previous" or "create_new", got ${describeValue(value)}.`,
  );
}

/** Parses `"<id>?_step=<n>"` (resumeFrom / forkFrom). Only `_step` is supported, as in W&B. */
export function parseRunMoment(option: "resumeFrom" | "forkFrom", value: unknown): { id: string; step: number } {
  const match = typeof value === "string" ? /^([^?]+)\?_step=(\d+)$/.exec(value) : null;
  const step = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isSafeInteger(step)) {
    throw new RunlogError("INVALID_ARGUMENT", `${option} must look like "<run id>?_step=<n>", got ${describeValue(value)}.`);
  }
  return { id: match[1] as string, step };
}
