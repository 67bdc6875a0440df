import { RunlogError } from "../errors.js";
import { openSweepBackend, type SweepStoreOptions } from "./open-backend.js";
import { resolveSweep } from "./scope.js";
import type { SweepRecord, SweepState } from "./sweep-backend.js";
import { SWEEP_STATES } from "./trial-rules.js";

/**
 * `runlog sweep --pause|--resume|--stop|--cancel`: pause and resume hand-outs, stop (running
 * trials end on their own) or cancel (agents stop running trials too). Returns the sweep after.
 */
export async function setSweepState(
  ref: string,
  state: SweepState,
  options: SweepStoreOptions & { entity?: string; project?: string } = {},
): Promise<SweepRecord> {
  if (!SWEEP_STATES.includes(state) || state === "finished") {
    throw new RunlogError("INVALID_ARGUMENT", `A sweep can be set running, paused, stopped or cancelled, not ${JSON.stringify(state)}.`);
  }
  const backend = openSweepBackend(options);
  try {
    return await backend.setSweepState(await resolveSweep(backend, ref, options), state);
  } finally {
    backend.close();
  }
}
