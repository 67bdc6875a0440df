/** What one import did, per run and in total; `unmapped` names what Runlog has no place for. */
export interface ImportedRun {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  /** The source files read for this run (a W&B resume or a TensorBoard run may span several). */
  readonly sources: readonly string[];
  /** Records written to the run's transaction log by this import (0 when importing again). */
  readonly written: number;
  /** Records the store applied (0 when importing again). */
  readonly applied: number;
  /** History and system points read from the source. */
  readonly points: number;
}

export interface ImportReport {
  readonly runs: readonly ImportedRun[];
  /** Source record kinds that have no Runlog counterpart, with how many were skipped. */
  readonly unmapped: Readonly<Record<string, number>>;
}

/** Counts what could not be mapped, by a short name of the source thing ("wandb: telemetry"). */
export class Unmapped {
  private readonly counts = new Map<string, number>();

  add(what: string, count = 1): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + count);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}
