import { readFileSync } from "node:fs";
import type { Command, Out } from "./command.js";
import { closest, isUsageError } from "./usage.js";

// Nothing heavy is imported here: `runlog --help` and `--version` cost a bare Node start, and a
// command loads its own module (and @runlog/core, the server, ZeroMQ) only when it runs.

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
  sweep      create a hyperparameter sweep, or pause/resume/stop/cancel one (runlog sweep --help)
  agent      run a sweep's trials (runlog agent --help)
  import     bring runs over from W&B, TensorBoard or MLflow files (runlog import --help)
  export     write runs as Parquet, CSV, JSON lines or TensorBoard files (runlog export --help)

Options: --help, -h   this help     --version, -v   the version
Environment: RUNLOG_DIR (default ./runlog)`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  sync: async () => (await import("./commands/sync.js")).syncCommand,
  doctor: async () => (await import("./commands/doctor.js")).doctorCommand,
  artifact: async () => (await import("./commands/artifact.js")).artifactCommand,
  bridge: async () => (await import("./commands/bridge.js")).bridgeCommand,
  runs: async () => (await import("./commands/runs.js")).runsCommand,
  ui: async () => (await import("./commands/ui.js")).uiCommand,
  server: async () => (await import("./commands/server.js")).serverCommand,
  sweep: async () => (await import("./commands/sweep.js")).sweepCommand,
  agent: async () => (await import("./commands/agent.js")).agentCommand,
  import: async () => (await import("./commands/import.js")).importCommand,
  export: async () => (await import("./commands/export.js")).exportCommand,
};

export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

/** Runs the CLI; returns the exit code. Errors print a one-line message, never a stack. */
export async function main(argv: string[], out: Out = console.log, err: Out = console.error): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    out(HELP);
    return 0;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    out(version());
    return 0;
  }
  const load = COMMANDS[command];
  if (load === undefined) {
    const names = Object.keys(COMMANDS);
    const near = command.startsWith("-") ? undefined : closest(command, names);
    const what = command.startsWith("-") ? `unknown option ${command}` : `unknown command "${command}"`;
    err(`runlog: ${what}.${near ? ` Did you mean \`runlog ${near}\`?` : ""} Commands: ${names.join(", ")} (runlog --help).`);
    return 2;
  }
  try {
    return await (await load())(rest, out, err);
  } catch (error) {
    if (isUsageError(error)) {
      err(`runlog ${command}: ${error.message}. See \`runlog ${command} --help\`.`);
      return 2;
    }
    const { RunlogError } = await import("@runlog/core");
    if (RunlogError.isInstance(error)) err(`runlog ${command}: ${error.message} [${error.code}]`);
    else err(`runlog ${command}: ${(error as Error).message}`);
    return 1;
  }
}
