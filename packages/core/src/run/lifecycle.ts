import { constants } from "node:os";
import type { Run } from "./run.js";

/** A live run as the process hooks see it. */
export interface TrackedRun {
  readonly run: Run;
  /** Synchronous: seal, write the exit record, fsync and push to the store before the process dies. */
  lastChance(exitCode: number, killed: boolean): void;
}

const live = new Set<TrackedRun>();
let killedBy: NodeJS.Signals | undefined;
const SIGNAL_DRAIN_MS = 10_000;

function onBeforeExit(): void {
  // The event loop is empty and the user never called finish(): finish as W&B's atexit does.
  for (const tracked of live) {
    if (!tracked.run.finishing) void tracked.run.finish({ exitCode: typeof process.exitCode === "number" ? process.exitCode : 0 });
  }
}

function onExit(code: number): void {
  for (const tracked of [...live]) tracked.lastChance(code, killedBy !== undefined);
}

function onSignal(signal: NodeJS.Signals): void {
  if (killedBy !== undefined) process.exit(128 + (constants.signals[signal] ?? 0)); // second signal: leave now
  killedBy = signal;
  const code = 128 + (constants.signals[signal] ?? 0);
  const finishing = [...live].map((tracked) => tracked.run.finishAs(code, "killed", false));
  const timeout = new Promise((resolve) => setTimeout(resolve, SIGNAL_DRAIN_MS).unref());
  void Promise.race([Promise.allSettled(finishing), timeout]).then(() => {
    const othersListen = process.listenerCount(signal) > 1;
    uninstall();
    // Re-raise so the process ends the way the signal meant, unless the app handles it itself.
    if (!othersListen) process.kill(process.pid, signal);
  });
}

function install(): void {
  process.on("beforeExit", onBeforeExit);
  process.on("exit", onExit);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

function uninstall(): void {
  process.off("beforeExit", onBeforeExit);
  process.off("exit", onExit);
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

export function trackRun(tracked: TrackedRun): void {
  if (live.size === 0) install();
  live.add(tracked);
}

export function untrackRun(tracked: TrackedRun): void {
  live.delete(tracked);
  if (live.size === 0) uninstall();
}

/** The run `init` returns for reinit "return_previous": the most recent live one. */
export function currentRun(): Run | undefined {
  let last: Run | undefined;
  for (const tracked of live) if (!tracked.run.finishing) last = tracked.run;
  return last;
}
