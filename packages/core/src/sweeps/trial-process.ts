import { spawn } from "node:child_process";
import { RunlogError } from "../errors.js";

export type TrialOutcome = "finished" | "failed" | "killed" | "stopped";

export interface TrialProcess {
  readonly done: Promise<TrialOutcome>;
  /** SIGTERM now, SIGKILL after `graceMs` if it is still running (W&B's agent: 30 s). */
  stop(graceMs: number): void;
}

/** Runs one trial's command; its output goes to the agent's own stdout/stderr. */
export function startTrialProcess(argv: readonly string[], env: NodeJS.ProcessEnv): TrialProcess {
  const [command, ...args] = argv;
  if (command === undefined) throw new RunlogError("SWEEP_CONFIG_INVALID", "The sweep's command is empty; set program (or command).");
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env });
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;
  const done = new Promise<TrialOutcome>((resolve) => {
    child.on("error", (error) => {
      process.stderr.write(`runlog agent: cannot start ${command}: ${error.message}\n`);
      resolve("failed");
    });
    child.on("exit", (code, signal) => {
      clearTimeout(killTimer);
      if (stopping) resolve("stopped");
      else if (signal !== null) resolve("killed");
      else resolve(code === 0 ? "finished" : "failed");
    });
  });
  return {
    done,
    stop(graceMs) {
      if (stopping) return;
      stopping = true;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    },
  };
}
