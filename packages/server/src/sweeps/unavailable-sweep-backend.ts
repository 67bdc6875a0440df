import { RunlogError } from "@runlog/core";
import type { SweepBackend } from "@runlog/core/store-kit";

const unavailable = (): never => {
  throw new RunlogError(
    "MODE_UNAVAILABLE",
    "Sweeps on a PostgreSQL team store are not available in this build; run the sweep on an embedded store (`runlog server` without --store).",
  );
};

/** The team store's sweeps until its PostgreSQL backend lands: every call answers MODE_UNAVAILABLE (501). */
export class UnavailableSweepBackend implements SweepBackend {
  createSweep = async () => unavailable();
  getSweep = async () => unavailable();
  listSweeps = async () => unavailable();
  findSweeps = async () => unavailable();
  setSweepState = async () => unavailable();
  takeTrial = async () => unavailable();
  reportTrial = async () => unavailable();
  listTrials = async () => unavailable();
  close(): void {}
}
