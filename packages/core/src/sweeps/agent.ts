import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { RunlogError } from "../errors.js";
import { currentRun } from "../run/lifecycle.js";
import { storeRoot } from "../store/open-reader.js";
import { generateRunId } from "../util/names.js";
import { type SweepConfig, trialArgsJson, trialCommand } from "./engine/index.js";
import { FailurePolicy } from "./failure-policy.js";
import { openSweepBackend, type SweepStoreOptions } from "./open-backend.js";
import { resolveSweep } from "./scope.js";
import type { SweepAddress, SweepBackend, TrialRecord } from "./sweep-backend.js";
import { startTrialProcess, type TrialOutcome } from "./trial-process.js";

/** What a function trial is told: its run, its parameters, and a signal aborted when the store says stop (early termination, cancel). */
export interface FunctionTrial {
  readonly runId: string;
  readonly params: Record<string, unknown>;
  readonly signal: AbortSignal;
}

export interface AgentOptions extends SweepStoreOptions {
  /** Runs one trial in this process (it calls init(), which takes the trial's config); without it the sweep's program runs. */
  readonly fn?: (trial: FunctionTrial) => unknown;
  /** Trials this agent runs at most (W&B: per agent). */
  readonly count?: number;
  readonly entity?: string;
  readonly project?: string;
  /** Ends the agent before its next trial (a client that hosted the function went away). */
  readonly signal?: AbortSignal;
}

const seconds = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new RunlogError("INVALID_ARGUMENT", `${name} must be a positive number of seconds, not ${JSON.stringify(raw)}.`);
  return value;
};

const say = (line: string) => process.stderr.write(`runlog agent: ${line}\n`);

/**
 * Runs trials of a sweep until it is done, `count` trials ran, or the program keeps failing
 * (AGENT_FAILED). Each trial is taken from the store atomically, heartbeats its lease while it
 * runs (a killed agent's trial is requeued or marked by whoever takes next), and is stopped
 * (SIGTERM, then SIGKILL) when the store says so.
 */
export async function agent(sweepId: string, options: AgentOptions = {}): Promise<void> {
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 1)) {
    throw new RunlogError("INVALID_ARGUMENT", `count must be a whole number ≥ 1, not ${JSON.stringify(options.count)}.`);
  }
  if (options.fn !== undefined && typeof options.fn !== "function") throw new RunlogError("INVALID_ARGUMENT", "fn must be a function.");
  const heartbeatSeconds = seconds("RUNLOG_AGENT_HEARTBEAT_SECONDS", 5);
  const graceMs = seconds("RUNLOG_AGENT_STOP_GRACE_SECONDS", 30) * 1000;
  const policy = new FailurePolicy();
  const backend = openSweepBackend(options);
  try {
    const address = await resolveSweep(backend, sweepId, options);
    const config = (await backend.getSweep(address))?.config as SweepConfig;
    const agentId = `${hostname()}-${process.pid}-${generateRunId()}`;
    const lease = { agentId, leaseSeconds: heartbeatSeconds * 3 };
    let waited = false;
    const idle = sleeper();
    for (let ran = 0; options.count === undefined || ran < options.count; ) {
      if (options.signal?.aborted) return;
      const taken = await backend.takeTrial(address, lease);
      if (taken.kind === "done") {
        say(`${taken.reason}; done.`);
        return;
      }
      if (taken.kind === "wait") {
        if (!waited) say(`${taken.reason}; waiting.`);
        waited = true;
        await idle.pause(heartbeatSeconds * 1000);
        continue;
      }
      waited = false;
      ran++;
      say(`trial ${taken.trial.runId}: ${JSON.stringify(taken.trial.params)}`);
      const outcome = await runTrial(backend, address, taken.trial, { config, options, lease, heartbeatSeconds, graceMs });
      await backend.reportTrial(address, taken.trial.runId, { ...lease, state: outcome });
      policy.record(outcome === "finished" || outcome === "stopped");
    }
  } finally {
    backend.close();
  }
}

interface TrialContext {
  readonly config: SweepConfig;
  readonly options: AgentOptions;
  readonly lease: { agentId: string; leaseSeconds: number };
  readonly heartbeatSeconds: number;
  readonly graceMs: number;
}

async function runTrial(backend: SweepBackend, address: SweepAddress, trial: TrialRecord, context: TrialContext): Promise<TrialOutcome> {
  const env = trialEnv(address, trial, context.options);
  await backend.reportTrial(address, trial.runId, { ...context.lease, state: "running" });
  let stop: (() => void) | undefined;
  let beating = true;
  const beat = sleeper();
  const heartbeat = (async () => {
    while (beating) {
      await beat.pause(context.heartbeatSeconds * 1000);
      if (!beating) return;
      const answer = await backend.reportTrial(address, trial.runId, context.lease);
      if (answer.stop) stop?.();
    }
  })();
  try {
    if (context.options.fn !== undefined) {
      const stopping = new AbortController();
      stop = () => {
        if (stopping.signal.aborted) return;
        say(`stopping trial ${trial.runId} (early termination or a cancelled sweep).`);
        stopping.abort();
      };
      return await runFunction(context.options.fn, trial, env, stopping.signal);
    }
    // `${args_json_file}` names a file of the params as W&B's agent writes it (not the `{k: {value}}` config file).
    const argsFile = join(dirname(env.RUNLOG_SWEEP_PARAM_PATH as string), `args-${trial.runId}.json`);
    writeFileSync(argsFile, trialArgsJson(trial.params));
    const argv = trialCommand(context.config, trial.params, {
      interpreter: interpreterFor(context.config.program),
      env: { ...(process.env as Record<string, string>), ...env },
      jsonFile: argsFile,
    });
    const child = startTrialProcess(argv, { ...process.env, ...env });
    stop = () => {
      say(`stopping trial ${trial.runId} (early termination or a cancelled sweep).`);
      child.stop(context.graceMs);
    };
    return await child.done;
  } finally {
    beating = false;
    beat.wake();
    await heartbeat;
  }
}

/** In this process, with the trial's environment for the duration (init() reads it), as W&B's function agent does. */
async function runFunction(
  fn: NonNullable<AgentOptions["fn"]>,
  trial: TrialRecord,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<TrialOutcome> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    await fn({ runId: trial.runId, params: trial.params, signal });
    return signal.aborted ? "stopped" : "finished";
  } catch (error) {
    if (signal.aborted) return "stopped"; // the function ended because it was told to stop
    say(`trial ${trial.runId} failed: ${(error as Error)?.stack ?? String(error)}`);
    return "failed";
  } finally {
    const run = currentRun();
    if (run !== undefined && run.id === trial.runId && !run.finishing) await run.finish();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function trialEnv(address: SweepAddress, trial: TrialRecord, options: AgentOptions): Record<string, string> {
  const root = storeRoot(options.dir);
  const folder = join(root, "sweeps", address.entity, address.project, address.id);
  mkdirSync(folder, { recursive: true });
  const paramPath = join(folder, `config-${trial.runId}.json`);
  writeFileSync(paramPath, JSON.stringify(Object.fromEntries(Object.entries(trial.params).map(([k, v]) => [k, { value: v }]))));
  const names = {
    SWEEP_ID: address.id,
    RUN_ID: trial.runId,
    SWEEP_PARAM_PATH: paramPath,
    PROJECT: address.project,
    ENTITY: address.entity,
  };
  const env: Record<string, string> = { RUNLOG_DIR: root };
  // A trial's run logs where the agent's sweep lives: an agent given the server in code passes it on.
  if (options.mode !== undefined) env.RUNLOG_MODE = options.mode;
  if (options.baseUrl !== undefined) env.RUNLOG_BASE_URL = options.baseUrl;
  if (options.apiKey !== undefined) env.RUNLOG_API_KEY = options.apiKey;
  for (const [name, value] of Object.entries(names)) {
    env[`RUNLOG_${name}`] = value;
    env[`WANDB_${name}`] = value;
  }
  return env;
}

function interpreterFor(program: string | undefined): string {
  return program !== undefined && /\.(m|c)?js$/.test(program) ? process.execPath : "python";
}

/** Pauses that a finished trial can cut short (timers keep the process alive on purpose: the agent is working). */
function sleeper() {
  let wakeUp: (() => void) | undefined;
  return {
    pause(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake(): void {
      wakeUp?.();
    },
  };
}
