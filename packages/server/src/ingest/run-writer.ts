import type { RunView } from "@runlog/core";
import type { RunAddress, RunMetaEdit, RunWriter } from "@runlog/core/store-kit";

// The contract lives in core's store-kit, beside its shared suite (`@runlog/core/testing`).
export type { RunAddress, RunWriter } from "@runlog/core/store-kit";

/** A server's writer: ingestion, and the dashboard's edits of a run's tags and notes. */
export interface ServerRunWriter extends RunWriter {
  /** Applies the edit; the run as stored afterwards, or undefined when there is no such run. */
  editRun(address: RunAddress, edit: RunMetaEdit): Promise<RunView | undefined>;
}
