import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { venvPython } from "../python-env.js";

/** Asks W&B's own sweep engine (the `sweeps` package in .venv-sweeps) one question; see wandb_sweeps_oracle.py. */
export function askWandbSweeps<T>(request: Record<string, unknown> | string): T {
  return runOracle("sweeps", "wandb_sweeps_oracle.py", request);
}

/** The argv W&B's agent (the real wandb in .venv) builds for a trial; see wandb_command_oracle.py. */
export function askWandbCommand(request: {
  command: string[];
  program: string;
  params: Record<string, unknown>;
  env: Record<string, string>;
  json_file: string;
}): string[] {
  return runOracle("dev", "wandb_command_oracle.py", request);
}

function runOracle<T>(env: "sweeps" | "dev", script: string, request: Record<string, unknown> | string): T {
  const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
  // A string request is already JSON text (so that 1.0 stays a float for Python).
  const input = typeof request === "string" ? request : JSON.stringify(request);
  const output = execFileSync(venvPython(env), [path], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(output) as T;
}
