import { RunlogError } from "@runlog/core";
import { type DecodedRecord, type DescribeRunRequest, type DescribeRunResult, SqliteStore } from "@runlog/core/store-kit";
import type { RunAddress, RunWriter } from "./run-writer.js";

/** Ingests into the embedded store, so `runlog server` without --store also takes online runs. */
export class SqliteRunWriter implements RunWriter {
  private readonly store: SqliteStore;

  constructor(dbPath: string) {
    this.store = new SqliteStore(dbPath);
  }

  async apply(address: RunAddress, records: readonly DecodedRecord[]): Promise<number> {
    if (!this.store.selectRun(address.entity, address.project, address.id) && records[0]?.kind !== "run") {
      throw new RunlogError(
        "RUN_NOT_FOUND",
        `Run ${address.entity}/${address.project}/${address.id} does not exist yet: its first batch must open it.`,
      );
    }
    this.store.apply(records);
    return this.store.appliedSeq();
  }

  async heartbeat(address: RunAddress): Promise<void> {
    if (this.store.selectRun(address.entity, address.project, address.id)) this.store.heartbeat();
  }

  async describeRun(request: DescribeRunRequest): Promise<DescribeRunResult> {
    return this.store.describeRun({ entity: request.entity, project: request.project, id: request.id });
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
