import { RunlogError, type RunView } from "@runlog/core";
import { type DecodedRecord, type DescribeRunRequest, type DescribeRunResult, type RunMetaEdit, SqliteStore } from "@runlog/core/store-kit";
import type { RunAddress, ServerRunWriter } from "./run-writer.js";

/** Ingests into the embedded store, so `runlog server` without --store also takes online runs. */
export class SqliteRunWriter implements ServerRunWriter {
  private readonly store: SqliteStore;

  constructor(dbPath: string) {
    this.store = new SqliteStore(dbPath);
  }

  async apply(address: RunAddress, records: readonly DecodedRecord[]): Promise<number> {
    const exists = this.store.selectRun(address.entity, address.project, address.id);
    if (!exists && records[0]?.kind !== "run") {
      throw new RunlogError(
        "RUN_NOT_FOUND",
        `Run ${address.entity}/${address.project}/${address.id} does not exist yet: its first batch must open it.`,
      );
    }
    // The same rule as PostgreSQL's writer: a jump in sequence numbers means the store lost records.
    const before = exists ? this.store.appliedSeq() : 0;
    const next = records.find((record) => record.header.seq > before);
    if (next !== undefined && next.header.seq > before + 1) {
      throw new RunlogError(
        "SEQ_GAP",
        `The server holds run ${address.id} up to record ${before} but this batch starts at ${next.header.seq}; the store lost records (restored from a backup?). Upload the run's whole log with \`runlog sync <run-dir> --server <url>\`.`,
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

  async editRun(address: RunAddress, edit: RunMetaEdit): Promise<RunView | undefined> {
    return this.store.editRun(address, edit);
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
