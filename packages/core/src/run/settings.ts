import { describeValue, RunlogError } from "../errors.js";

/** Run settings. Durations are in seconds, as in W&B. Frozen into `run.settings`. */
export interface Settings {
  /** Seconds between system-metric samples (default 15, minimum 0.1). */
  readonly statsSamplingInterval: number;
  /** Turn system metrics off entirely. */
  readonly disableStats: boolean;
  /** Record no git facts (commit, branch, remote, dirty) for the run (W&B's `disable_git`). */
  readonly disableGit: boolean;
  /** What `log` does with a step lower than the current one. */
  readonly onStepRegression: "warn-drop" | "error";
  /** Seconds between fsyncs of the transaction log (default 1): the most a power cut can lose. */
  readonly flushInterval: number;
  /** Seconds `finish()` waits for the store before leaving the run to `runlog sync` (default 120). */
  readonly finishTimeout: number;
  /** Seconds without a heartbeat after which readers call a running run crashed (default 300). */
  readonly crashTimeout: number;
  /** mode "online": seconds init() keeps trying to reach the server before it fails (default 30). */
  readonly initTimeout: number;
  /** Capture stdout/stderr into the run's output.log. */
  readonly console: "wrap" | "off";
  /** Print nothing of our own (warnings still go to `onWarning`). */
  readonly quiet: boolean;
}

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  statsSamplingInterval: 15,
  disableStats: false,
  disableGit: false,
  onStepRegression: "warn-drop",
  flushInterval: 1,
  finishTimeout: 120,
  crashTimeout: 300,
  initTimeout: 30,
  console: "wrap",
  quiet: false,
});

type SettingName = keyof Settings;

const ENV_NAMES: Record<SettingName, string> = {
  statsSamplingInterval: "RUNLOG_STATS_SAMPLING_INTERVAL",
  disableStats: "RUNLOG_DISABLE_STATS",
  disableGit: "RUNLOG_DISABLE_GIT",
  onStepRegression: "RUNLOG_ON_STEP_REGRESSION",
  flushInterval: "RUNLOG_FLUSH_INTERVAL",
  finishTimeout: "RUNLOG_FINISH_TIMEOUT",
  crashTimeout: "RUNLOG_CRASH_TIMEOUT",
  initTimeout: "RUNLOG_INIT_TIMEOUT",
  console: "RUNLOG_CONSOLE",
  quiet: "RUNLOG_QUIET",
};

function invalid(name: string, value: unknown, expected: string): never {
  throw new RunlogError("INVALID_ARGUMENT", `Invalid setting ${name}=${describeValue(value)}: expected ${expected}.`);
}

function seconds(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n < min || n > max) {
    invalid(name, value, `a number of seconds between ${min} and ${max}`);
  }
  return n;
}

function flag(name: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  return invalid(name, value, "true or false");
}

function choice<T extends string>(name: string, value: unknown, options: readonly T[]): T {
  if (typeof value === "string" && (options as readonly string[]).includes(value)) return value as T;
  return invalid(name, value, options.map((o) => `"${o}"`).join(" or "));
}

const PARSERS: { [K in SettingName]: (value: unknown) => Settings[K] } = {
  statsSamplingInterval: (v) => seconds("statsSamplingInterval", v, 0.1, 86_400),
  disableStats: (v) => flag("disableStats", v),
  disableGit: (v) => flag("disableGit", v),
  onStepRegression: (v) => choice("onStepRegression", v, ["warn-drop", "error"] as const),
  flushInterval: (v) => seconds("flushInterval", v, 0.01, 3_600),
  finishTimeout: (v) => seconds("finishTimeout", v, 0.1, 86_400),
  crashTimeout: (v) => seconds("crashTimeout", v, 1, 30 * 86_400),
  initTimeout: (v) => seconds("initTimeout", v, 0.1, 86_400),
  console: (v) => choice("console", v, ["wrap", "off"] as const),
  quiet: (v) => flag("quiet", v),
};

/** Defaults ← environment ← explicit settings. Unknown names are refused (they are usually typos). */
export function resolveSettings(given: Partial<Settings> | undefined, env: NodeJS.ProcessEnv = process.env): Settings {
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) {
    throw new RunlogError("INVALID_ARGUMENT", `settings must be an object, got ${describeValue(given)}.`);
  }
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const name of Object.keys(PARSERS) as SettingName[]) {
    const fromEnv = env[ENV_NAMES[name]];
    if (fromEnv !== undefined && fromEnv !== "") out[name] = PARSERS[name](fromEnv);
  }
  for (const [name, value] of Object.entries(given ?? {})) {
    if (!(name in PARSERS)) {
      throw new RunlogError("INVALID_ARGUMENT", `Unknown setting "${name}". Known settings: ${Object.keys(PARSERS).join(", ")}.`);
    }
    if (value !== undefined) out[name] = PARSERS[name as SettingName](value);
  }
  return Object.freeze(out) as unknown as Settings;
}
