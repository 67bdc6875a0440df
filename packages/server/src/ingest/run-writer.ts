import type { DecodedRecord, DescribeRunRequest, DescribeRunResult } from "@runlog/core/store-kit";

export interface RunAddress {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
}

/** The write side a server ingests into: the embedded SQLite store or PostgreSQL. */
export interface RunWriter {
  /** Applies records (idempotently by seq); resolves to the run's applied sequence afterwards. */
  apply(address: RunAddress, records: readonly DecodedRecord[]): Promise<number>;
  heartbeat(address: RunAddress): Promise<void>;
  describeRun(request: DescribeRunRequest): Promise<DescribeRunResult>;
  close(): Promise<void>;
}
