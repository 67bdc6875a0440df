import { RunlogError } from "@runlog/core";
import { artifactCommand } from "./commands/artifact.js";
import { bridgeCommand } from "./commands/bridge.js";
import { doctorCommand } from "./commands/doctor.js";
import { runsCommand } from "./commands/runs.js";
import { serverCommand } from "./commands/server.js";
import { syncCommand } from "./commands/sync.js";
import { uiCommand } from "./commands/ui.js";

export const HELP = `runlog — experiment tracking that never makes you wait

Usage: runlog <command> [options]

Commands:
  sync       replay offline or crashed runs into the store or a server (runlog sync --help)
  doctor     check the store and the transaction logs for damage, and say what to do (runlog doctor --help)
  artifact   put, get and list artifacts (runlog artifact --help)
  bridge     host runs for Python clients over ZeroMQ (runlog bridge --help)
  runs       list runs and show one (runlog runs --help)
  ui         serve the dashboard over the store (runlog ui --help)
  server     the team server: PostgreSQL, API keys, online runs (runlog server --help)

Environment: RUNLOG_DIR (default ./runlog)`;

const COMMANDS: Record<string, (args: string[], out: (line: string) => void) => number | Promise<number>> = {
  sync: syncCommand,
  doctor: doctorCommand,
  artifact: artifactCommand,
  bridge: bridgeCommand,
  runs: runsCommand,
  ui: uiCommand,
  server: serverCommand,
};

/** Runs the CLI; returns the exit code. Errors print a one-line message, never a stack. */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    out(HELP);
    return 0;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    err(`runlog: unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(rest, out);
  } catch (error) {
    if (RunlogError.isInstance(error)) err(`runlog ${command}: ${error.message} [${error.code}]`);
    else err(`runlog ${command}: ${(error as Error).message}`);
    return 1;
  }
}
