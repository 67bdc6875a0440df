import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { finished, run } from "@runlog/test-support/child-process";

const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));
const PROGRAM = fileURLToPath(new URL("./sweep-ui-trial.mjs", import.meta.url));
export const SWEEP_PROJECT = { entity: "team", project: "tune" } as const;
/** Fast heartbeats: early termination reaches a trial within a tenth of a second. */
export const AGENT_ENV = { RUNLOG_AGENT_HEARTBEAT_SECONDS: "0.1", RUNLOG_AGENT_STOP_GRACE_SECONDS: "2" };
const HYPERBAND = { type: "hyperband", min_iter: 3, eta: 3 };
const METRIC = { name: "loss", goal: "minimize" };

/** A grid over a nested parameter (6 points) and a random sweep of 8 trials of which 4 ran, both with hyperband. */
export const GRID_CONFIG = {
  name: "grid-lr-optimizer",
  method: "grid",
  program: PROGRAM,
  metric: METRIC,
  early_terminate: HYPERBAND,
  parameters: { lr: { values: [0.1, 0.01, 0.001] }, optimizer: { parameters: { name: { values: ["sgd", "adam"] } } } },
};
export const RANDOM_CONFIG = {
  name: "random-lr-batch",
  method: "random",
  program: PROGRAM,
  metric: METRIC,
  early_terminate: HYPERBAND,
  run_cap: 8,
  parameters: { lr: { distribution: "log_uniform_values", min: 0.0001, max: 0.1 }, batch: { values: [16, 64, 256] } },
};
export const RANDOM_TRIALS_RUN = 4;

export function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
}

async function createSweep(root: string, config: object, name: string): Promise<string> {
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const created = await cli(["sweep", file, "--entity", SWEEP_PROJECT.entity, "--project", SWEEP_PROJECT.project, "--dir", root]);
  if (created.code !== 0) throw new Error(`runlog sweep failed: ${created.stderr}`);
  return created.stdout.trim();
}

/** Runs the real `runlog agent` on a sweep until it is done (or `count` trials ran). */
async function runAgent(root: string, id: string, count?: number): Promise<void> {
  const args = [BIN, "agent", id, "--dir", root, ...(count === undefined ? [] : ["--count", String(count)])];
  const agent = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...AGENT_ENV } });
  const result = await finished(agent, 180_000);
  if (result.code !== 0) throw new Error(`runlog agent exited with ${result.code}: ${result.stderr}`);
}

/** The sweep page's store: both sweeps, run by the real agent with the real trial program. */
export async function fillSweepStore(root: string): Promise<{ grid: string; random: string }> {
  const grid = await createSweep(root, GRID_CONFIG, "grid");
  await runAgent(root, grid);
  const random = await createSweep(root, RANDOM_CONFIG, "random");
  await runAgent(root, random, RANDOM_TRIALS_RUN);
  return { grid, random };
}
