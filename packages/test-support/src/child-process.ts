import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CHILD_SCRIPT = fileURLToPath(new URL("./children/child-run.mjs", import.meta.url));
export const INIT_OUTCOME_SCRIPT = fileURLToPath(new URL("./children/init-outcome.mjs", import.meta.url));
export const RACE_INIT_SCRIPT = fileURLToPath(new URL("./children/race-init.mjs", import.meta.url));
export const SHARED_WRITER_SCRIPT = fileURLToPath(new URL("./children/shared-writer.mjs", import.meta.url));
export const CLI_BIN = fileURLToPath(new URL("../../cli/dist/bin.js", import.meta.url));

export function spawnChild(scenario: string, root: string, id: string, resume?: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [CHILD_SCRIPT, scenario, root, id, ...(resume ? [resume] : [])], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
}

/** Runs a child script with node; stdin is a pipe, so closing it can tell the child to stop. */
export function spawnScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
}

/**
 * Like `exited`, plus a guard: a child still running after `guardMs` is killed (SIGKILL), so
 * a hang fails the test's assertions on the exit code instead of hanging the suite.
 */
export function finished(child: ChildProcess, guardMs = 60_000) {
  let stdout = "";
  child.stdout?.on("data", (chunk) => (stdout += chunk));
  const guard = setTimeout(() => child.kill("SIGKILL"), guardMs);
  return exited(child).then((result) => {
    clearTimeout(guard);
    return { ...result, stdout };
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stderr })));
}

/** Resolves with stdout lines as they arrive; `until` decides when to stop waiting. */
/** Calls `each` with every whole line the child prints on stdout. */
export function onLines(child: ChildProcess, each: (line: string) => void): void {
  let buffer = "";
  child.stdout?.on("data", (chunk) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) each(line);
  });
}

export function watchLines(child: ChildProcess, until: (line: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    onLines(child, (line) => {
      if (until(line)) resolve();
    });
    child.on("exit", () => reject(new Error("child exited before the expected output")));
  });
}

export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  // "close": the output is read to its end (on "exit" the pipes may still hold some).
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** Collects the "<step> <unix ms>" lines an until-killed child prints: what was logged when. */
export function loggedSteps(child: ChildProcess): [number, number][] {
  const logged: [number, number][] = [];
  onLines(child, (line) => {
    const [step, at] = line.split(" ").map(Number);
    if (Number.isFinite(step) && Number.isFinite(at)) logged.push([step as number, at as number]);
  });
  return logged;
}
