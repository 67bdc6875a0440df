import { readFileSync } from "node:fs";
import { describeValue, RunlogError } from "../errors.js";
import type { ConfigState } from "./config.js";

/** What an agent hands a trial's process: the sweep, and the parameters its run must use. */
export interface SweepTrial {
  readonly sweepId: string;
  readonly params: Record<string, unknown>;
}

const read = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[`RUNLOG_${name}`] || env[`WANDB_${name}`];
  return value === "" ? undefined : value;
};

/**
 * The trial this process runs, from the agent's environment (RUNLOG_SWEEP_ID and
 * RUNLOG_SWEEP_PARAM_PATH, or W&B's WANDB_* names). The parameters file is W&B's
 * `{key: {value: v}}` form; a plain `{key: v}` object is read too.
 */
export function sweepTrialFromEnv(env: NodeJS.ProcessEnv = process.env): SweepTrial | undefined {
  const sweepId = read(env, "SWEEP_ID");
  if (sweepId === undefined) return undefined;
  const path = read(env, "SWEEP_PARAM_PATH");
  if (path === undefined) return { sweepId, params: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Cannot read the sweep's parameters file ${path} (RUNLOG_SWEEP_PARAM_PATH): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RunlogError("INVALID_ARGUMENT", `The sweep's parameters file ${path} must hold an object, not ${describeValue(parsed)}.`);
  }
  const params: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    const wrapped = typeof entry === "object" && entry !== null && !Array.isArray(entry) && Object.keys(entry).join() === "value";
    params[key] = wrapped ? (entry as { value: unknown }).value : entry;
  }
  return { sweepId, params };
}

/** A trial's run takes the trial's parameters, locked: the user's own updates to them are ignored with a warning. */
export function applySweepTrial(config: ConfigState, trial: SweepTrial | undefined, warn: (message: string) => void): void {
  if (trial !== undefined && Object.keys(trial.params).length > 0) config.updateLocked(trial.params, "sweep", warn);
}
