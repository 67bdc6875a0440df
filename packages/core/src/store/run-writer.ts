import type { DecodedRecord } from "../pipeline/records.js";
import type { DescribeRunRequest, DescribeRunResult } from "../pipeline/sink.js";
import type { RunAddress } from "./online/ingest-client.js";

/**
 * The write side a runlog server ingests into (the embedded SQLite store or PostgreSQL). Its
 * shared suite is `describeRunWriterContract` in `@runlog/core/testing`.
 */
export interface RunWriter {
  /**
   * Applies records in seq order, idempotently (records at or below the run's applied sequence
   * are skipped); resolves to the run's applied sequence afterwards. A run's first batch must
   * open it (`RUN_NOT_FOUND` otherwise), and a batch that skips sequence numbers is refused
   * (`SEQ_GAP`): the store lost records and the client's log has them.
   */
  apply(address: RunAddress, records: readonly DecodedRecord[]): Promise<number>;
  /** Marks the run alive now; a run that does not exist is ignored. */
  heartbeat(address: RunAddress): Promise<void>;
  describeRun(request: DescribeRunRequest): Promise<DescribeRunResult>;
  close(): Promise<void>;
}
