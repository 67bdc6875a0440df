import { RunlogError } from "../errors.js";
import type { RunState } from "../pipeline/records.js";
import type { TrialView } from "./engine/index.js";
import type { SweepState, TrialRecord, TrialState } from "./sweep-backend.js";

// The rules every SweepBackend applies inside its transaction, so SQLite and PostgreSQL agree.

const FINAL: ReadonlySet<TrialState> = new Set(["finished", "failed", "crashed", "killed", "stopped"]);

export function isFinalTrialState(state: TrialState): boolean {
  return FINAL.has(state);
}

/**
 * What becomes of a trial whose lease ran out (its agent stopped heartbeating: killed, host gone).
 * As in W&B: a run that never started is scheduled again ("queued"); a run that started keeps
 * its grid point and takes the run's own final state, or "crashed" when it never ended.
 */
export function expiredTrialState(run: { state: RunState } | undefined): TrialState {
  if (run === undefined) return "queued";
  return run.state === "running" ? "crashed" : (run.state as TrialState);
}

/** The engine's view of trials: handed-out and queued ones occupy their point like running runs. */
export function engineView(trials: readonly TrialRecord[]): TrialView[] {
  return trials.map((trial) => ({
    runId: trial.runId,
    state: isFinalTrialState(trial.state) ? (trial.state as TrialView["state"]) : "running",
    params: trial.params,
    metricHistory: trial.metricHistory,
  }));
}

const TRANSITIONS: Record<SweepState, readonly SweepState[]> = {
  running: ["paused", "stopped", "cancelled", "finished"],
  paused: ["running", "stopped", "cancelled"],
  stopped: ["cancelled"],
  cancelled: [],
  finished: [],
};

/** W&B's controls: pause ⇄ resume, stop (let trials end), cancel (stop them too); finished and cancelled are final. */
export function checkSweepTransition(id: string, from: SweepState, to: SweepState): void {
  if (from === to || TRANSITIONS[from].includes(to)) return;
  throw new RunlogError("SWEEP_STATE_INVALID", `Sweep ${id} is ${from}; it cannot become ${to}.`, { details: { from, to } });
}

export const SWEEP_STATES: readonly SweepState[] = ["running", "paused", "stopped", "cancelled", "finished"];
