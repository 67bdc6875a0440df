/** What the importer reads from either MLflow tracking store (file store or SQLite), in one shape. */
export interface MlflowExperiment {
  readonly id: string;
  readonly name: string;
  readonly deleted: boolean;
}

/** MLflow's run statuses, as the SQLite store spells them (the file store keeps their enum numbers). */
export type MlflowStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export interface MlflowRunInfo {
  readonly id: string;
  readonly name: string;
  readonly experimentId: string;
  readonly status: MlflowStatus;
  /** Unix milliseconds, or undefined when MLflow has none (a scheduled run). */
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly deleted: boolean;
  readonly artifactUri: string;
  readonly userId: string;
  /** The file or folder this run is read from (named in errors and progress). */
  readonly source: string;
}

/** One logged metric value. `timestamp` is Unix milliseconds, as MLflow stores it. */
export interface MlflowPoint {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step: number;
}

export interface MlflowStoreReader {
  /** The file or folder imported (the SQLite file, or the `mlruns/` folder). */
  readonly location: string;
  experiments(): MlflowExperiment[];
  /**
   * The runs of an experiment, oldest first (then by id), so every import meets them in one order;
   * `damage` is the first run that could not be read (the others are still listed).
   */
  runs(experiment: MlflowExperiment): { runs: MlflowRunInfo[]; damage?: unknown };
  /** Params and tags sorted by key. */
  params(run: MlflowRunInfo): [string, string][];
  tags(run: MlflowRunInfo): [string, string][];
  /**
   * The run's metric values ordered by step, then timestamp, then key. Damage met while reading
   * (a truncated metric file) is thrown after the values read before it were yielded.
   */
  points(run: MlflowRunInfo): Iterable<MlflowPoint>;
  /** Source bytes behind one run (for progress), 0 when not known. */
  sizeOf(run: MlflowRunInfo): number;
  close(): void;
}

const STATUS_BY_NUMBER: Record<string, MlflowStatus> = { 1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED" };

/** A status from either store: the file store writes mlflow.entities.RunStatus numbers. */
export function statusOf(raw: unknown): MlflowStatus | undefined {
  const text = String(raw);
  if (text in STATUS_BY_NUMBER) return STATUS_BY_NUMBER[text];
  return Object.values(STATUS_BY_NUMBER).includes(text as MlflowStatus) ? (text as MlflowStatus) : undefined;
}
