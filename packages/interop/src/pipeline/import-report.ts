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
  /**
   * Set when the source grew in the middle of what an earlier import took (not only at its end):
   * those rows could not be put between imported rows and were skipped.
   */
  readonly skipped?: { readonly rows: number; readonly points: number; readonly throughStep: number };
}

export interface ImportReport {
  readonly runs: readonly ImportedRun[];
  /** Source record kinds that have no Runlog counterpart, with how many were skipped. */
  readonly unmapped: Readonly<Record<string, number>>;
  /** One line per run whose re-import skipped rows (see `ImportedRun.skipped`). */
  readonly warnings: readonly string[];
}

/** A run's import result, with `skipped` when its re-import met rows it could not place. */
export function importedRun(run: Omit<ImportedRun, "skipped">, skipped: ImportedRun["skipped"]): ImportedRun {
  return skipped === undefined ? run : { ...run, skipped };
}

/** The warnings of a report: a line naming each run whose re-import skipped rows, and how many. */
export function skippedWarnings(runs: readonly ImportedRun[]): string[] {
  return runs
    .filter((run) => run.skipped !== undefined)
    .map((run) => {
      const { rows, points, throughStep } = run.skipped as NonNullable<ImportedRun["skipped"]>;
      return `${run.entity}/${run.project}/${run.id}: the source changed inside what was imported before; ${rows} row(s) (${points} value(s)) at or before step ${throughStep} were skipped. Import into a new project (--project) to get them.`;
    });
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
