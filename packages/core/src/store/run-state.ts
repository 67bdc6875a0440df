import type { RunState } from "../pipeline/records.js";

/** How much longer a preempting run may go silent before it reads as crashed. */
const PREEMPTING_LENIENCY = 4;

/**
 * A run's state as readers see it: a running run whose heartbeat stopped for longer than
 * its crash timeout is crashed (W&B decides this server-side; every store here uses this).
 */
export function effectiveState(stored: RunState, heartbeatAt: number, crashTimeout: number, nowSeconds = Date.now() / 1000): RunState {
  if (stored !== "running" && stored !== "preempting") return stored;
  const limit = crashTimeout * (stored === "preempting" ? PREEMPTING_LENIENCY : 1);
  return nowSeconds - heartbeatAt > limit ? "crashed" : stored;
}
