import { RunlogError, type RunView } from "@runlog/core";
import {
  type DecodedRecord,
  type DescribeRunRequest,
  type DescribeRunResult,
  type RunMetaEdit,
  type RunRow,
  runViewOf,
  storedSnapshotOf,
} from "@runlog/core/store-kit";
import type { Pool, PoolClient } from "pg";
import type { RunAddress, ServerRunWriter } from "../ingest/run-writer.js";
import { applyRecord } from "./pg-appliers.js";
import { KeyIdCache } from "./pg-apply-context.js";
import { PgChunkBatch } from "./pg-chunks.js";
import { inTransaction } from "./pg-pool.js";
import { RunRowDraft } from "./pg-run-row.js";

/**
 * The write side of the PostgreSQL store. Each batch applies in one transaction holding the run
 * row's lock, so batches of one run are serialized across every server instance, and records
 * at or below the run's `applied_seq` are skipped: a retried batch is applied once.
 */
/** The critical steps of applying a batch, inside its transaction ("applied": before the run row update and commit). */
export type BatchStep = "locked" | "applied";

export interface PgWriterOptions {
  /** Test hook, awaited at each step of a batch: forces the orders two instances can take. */
  readonly onStep?: (step: BatchStep, client: PoolClient) => Promise<void> | void;
}

export class PgWriter implements ServerRunWriter {
  private readonly keyIds = new KeyIdCache();

  constructor(
    private readonly pool: Pool,
    private readonly options: PgWriterOptions = {},
  ) {}

  /** Applies `records` (in seq order) to the run; returns the run's applied sequence afterwards. */
  async apply(address: RunAddress, records: readonly DecodedRecord[]): Promise<number> {
    const keyIds = this.keyIds.batch();
    const applied = await this.transaction(async (client) => {
      let row = await lockRun(client, address);
      if (row === undefined) {
        const first = records[0];
        if (first?.kind !== "run") {
          throw new RunlogError(
            "RUN_NOT_FOUND",
            `Run ${address.entity}/${address.project}/${address.id} does not exist yet: its first batch must open it.`,
          );
        }
        const h = first.header;
        await client.query("INSERT INTO projects (entity, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [
          address.entity,
          address.project,
          h.startTime,
        ]);
        await client.query(
          `INSERT INTO runs (entity, project, run_id, name, created_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (entity, project, run_id) DO NOTHING`,
          [address.entity, address.project, address.id, h.name, h.startTime, h.t / 1000],
        );
        row = (await lockRun(client, address)) as RunRow;
      }
      await this.options.onStep?.("locked", client);
      const run = new RunRowDraft(row);
      const context = { client, run, chunks: new PgChunkBatch(client), fresh: row.applied_seq === 0, keyIds };
      const before = row.applied_seq;
      // Sequence numbers are contiguous per run: a jump means the store lost records (restored
      // from an older backup). Applying past it would hide the hole forever; the client's log has it.
      const next = records.find((record) => record.header.seq > before);
      if (next !== undefined && next.header.seq > before + 1) {
        throw new RunlogError(
          "SEQ_GAP",
          `The server holds run ${address.id} up to record ${before} but this batch starts at ${next.header.seq}; the store lost records (restored from a backup?). Upload the run's whole log with \`runlog sync <run-dir> --server <url>\`.`,
        );
      }
      let last = before;
      for (const record of records) {
        if (record.header.seq <= last) continue;
        await applyRecord(context, record);
        last = record.header.seq;
      }
      await context.chunks.flush();
      await this.options.onStep?.("applied", client);
      if (last > before) {
        run.set("applied_seq", last);
        run.set("heartbeat_at", Math.max(run.row.heartbeat_at, (records[records.length - 1] as DecodedRecord).header.t / 1000));
      }
      const update = run.update();
      if (update) await client.query(update.text, update.values);
      return last;
    });
    keyIds.commit();
    return applied;
  }

  async heartbeat(address: RunAddress, at: number = Date.now()): Promise<void> {
    await this.pool.query("UPDATE runs SET heartbeat_at = GREATEST(heartbeat_at, $4) WHERE entity = $1 AND project = $2 AND run_id = $3", [
      address.entity,
      address.project,
      address.id,
      at / 1000,
    ]);
  }

  async describeRun(request: DescribeRunRequest): Promise<DescribeRunResult> {
    const { rows: counts } = await this.pool.query<{ n: number }>(
      "SELECT COUNT(*)::int AS n FROM runs WHERE entity = $1 AND project = $2",
      [request.entity, request.project],
    );
    const { rows } = await this.pool.query<RunRow>("SELECT * FROM runs WHERE entity = $1 AND project = $2 AND run_id = $3", [
      request.entity,
      request.project,
      request.id,
    ]);
    const projectRunCount = counts[0]?.n ?? 0;
    const row = rows[0];
    // A row whose first batch has not committed a record yet reads as absent.
    if (row === undefined || row.applied_seq === 0) return { projectRunCount };
    return { projectRunCount, run: storedSnapshotOf(row) };
  }

  /**
   * A dashboard edit: one UPDATE of tags and notes (and the edit counter), which waits for a batch
   * holding the row's lock and is never undone by it: a batch writes back only the columns its
   * records changed, and a later run record changes tags or notes only when the run did.
   */
  async editRun(address: RunAddress, edit: RunMetaEdit): Promise<RunView | undefined> {
    const { rows } = await this.pool.query<RunRow>(
      `UPDATE runs SET tags = COALESCE($4, tags), notes = CASE WHEN $5 THEN $6 ELSE notes END, edits = edits + 1
       WHERE entity = $1 AND project = $2 AND run_id = $3 AND applied_seq > 0 RETURNING *`,
      [
        address.entity,
        address.project,
        address.id,
        edit.tags === undefined ? null : JSON.stringify(edit.tags),
        edit.notes !== undefined,
        edit.notes === "" ? null : (edit.notes ?? null),
      ],
    );
    if (rows[0] === undefined) return undefined;
    const { pk: _pk, ...view } = runViewOf(rows[0]);
    return view;
  }

  /** The pool belongs to the server (reader and key store share it). */
  async close(): Promise<void> {}

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}

async function lockRun(client: PoolClient, address: RunAddress): Promise<RunRow | undefined> {
  const { rows } = await client.query<RunRow>("SELECT * FROM runs WHERE entity = $1 AND project = $2 AND run_id = $3 FOR UPDATE", [
    address.entity,
    address.project,
    address.id,
  ]);
  return rows[0];
}
