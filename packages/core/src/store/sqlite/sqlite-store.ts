import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { DecodedRecord } from "../../pipeline/records.js";
import type { DescribeRunRequest, DescribeRunResult, WriterSnapshot } from "../../pipeline/sink.js";
import { type DamagedLogRange, readTransactionLog } from "../../pipeline/transaction-log.js";
import { decodeJson } from "../../util/json.js";
import { type RunMetaEdit, type RunRow, runViewOf, storedSnapshotOf } from "../run-row.js";
import type { RunView } from "../store.js";
import type { ApplyContext } from "./apply-context.js";
import { guarded, type RunChecksums, textChecksum, verifyRunRow } from "./checksums.js";
import { ChunkWriter } from "./chunk-writer.js";
import { openDatabase, withBusyRetry } from "./database.js";
import { prepared } from "./prepared.js";
import { applyRecord } from "./record-appliers.js";
import { setWriterAppliedSeq, writerAppliedSeq, writerHeartbeat } from "./writer-appliers.js";

export interface ReplayResult {
  readonly files: number;
  readonly records: number;
  readonly applied: number;
  readonly tornBytes: number;
  /** Damaged bytes skipped mid-log (every intact record around them was applied). */
  readonly damaged: DamagedLogRange[];
}

/** A transaction log's name: `attempt-NNNN.rlog`, or `attempt-NNNN-<label>.rlog` for a shared-mode writer. */
const LOG_NAME = /^attempt-\d+(?:-([A-Za-z0-9_.-]+))?\.rlog$/;

/** The writer label of a log file name (undefined for an ordinary run's log, null for no log at all). */
export function logLabel(name: string): string | undefined | null {
  const match = LOG_NAME.exec(name);
  return match === null ? null : match[1];
}

/**
 * Transaction-log files of a run, oldest attempt first: every writer's, or with `label` only that
 * shared-mode writer's (each writer has its own sequence space, so each log replays on its own).
 */
export function listRunLogs(runDir: string, label?: string, skipWriter?: (label: string) => boolean): string[] {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir)
    .filter((name) => {
      const of = logLabel(name);
      if (of === null || (label !== undefined && of !== label)) return false;
      return of === undefined || skipWriter === undefined || !skipWriter(of);
    })
    .sort()
    .map((name) => join(runDir, name));
}

/**
 * The write side of the embedded store. Used by the worker thread (live runs), by
 * `runlog sync` and by the last-chance drain at process exit. Every apply is
 * idempotent: records at or below the run's `applied_seq` are skipped.
 */
export class SqliteStore {
  readonly db: Database.Database;
  private readonly context: ApplyContext;

  constructor(readonly path: string) {
    this.db = openDatabase(path);
    this.context = { db: this.db, chunks: new ChunkWriter(this.db), runPk: 0, keyIds: new Map() };
  }

  /** Applies records in one transaction; returns how many were new. */
  apply(records: readonly DecodedRecord[]): number {
    return withBusyRetry(() => {
      try {
        return this.applyInTransaction(records);
      } catch (error) {
        // The transaction rolled back: chunk tails and key ids cached from it no longer exist.
        this.context.chunks.reset();
        this.context.keyIds.clear();
        throw error;
      }
    });
  }

  private applyInTransaction(records: readonly DecodedRecord[]): number {
    return this.db
      .transaction(() => {
        let applied = 0;
        let appliedSeq = 0;
        for (const record of records) {
          if (record.kind === "run") {
            this.selectRun(record.header.entity, record.header.project, record.header.id);
            this.context.writer = record.header.writer;
          }
          if (this.context.runPk !== 0 && record.header.seq <= this.appliedSeq()) continue;
          applyRecord(this.context, record);
          appliedSeq = record.header.seq;
          applied++;
        }
        this.context.chunks.flushTails();
        if (applied > 0) this.setAppliedSeq(appliedSeq, (records[records.length - 1] as DecodedRecord).header.t);
        return applied;
      })
      .immediate();
  }

  heartbeat(at: number = Date.now()): void {
    if (this.context.runPk === 0) return;
    const writer = this.context.writer;
    if (writer !== undefined) {
      withBusyRetry(() => writerHeartbeat(this.context, writer, at / 1000));
      return;
    }
    withBusyRetry(() =>
      prepared(this.db, "UPDATE runs SET heartbeat_at = MAX(heartbeat_at, ?) WHERE pk = ?").run(at / 1000, this.context.runPk),
    );
  }

  /**
   * Replays a run's transaction logs (all attempts; with `label`, only that shared-mode writer's;
   * `skipWriter` leaves out the logs of writers a live process still appends to). Safe to repeat:
   * nothing is applied twice.
   */
  replayRunDir(runDir: string, label?: string, skipWriter?: (label: string) => boolean): ReplayResult {
    let records = 0;
    let applied = 0;
    let tornBytes = 0;
    const damaged: DamagedLogRange[] = [];
    const files = listRunLogs(runDir, label, skipWriter);
    for (const file of files) {
      this.context.runPk = 0;
      this.context.writer = undefined;
      const result = readTransactionLog(file, (batch) => {
        records += batch.length;
        applied += this.apply(batch);
      });
      tornBytes += result.tornBytes;
      damaged.push(...result.damaged);
    }
    return { files: files.length, records, applied, tornBytes, damaged };
  }

  describeRun(request: DescribeRunRequest): DescribeRunResult {
    if (request.runDir !== undefined) this.replayRunDir(request.runDir, request.writer);
    const count = this.db
      .prepare("SELECT COUNT(*) AS n FROM runs WHERE entity = ? AND project = ?")
      .get(request.entity, request.project) as { n: number };
    const row = this.db
      .prepare("SELECT * FROM runs WHERE entity = ? AND project = ? AND run_id = ?")
      .get(request.entity, request.project, request.id) as (RunRow & RunChecksums) | undefined;
    if (row === undefined) return { projectRunCount: count.n };
    // A resumed run continues from this config and summary: damaged text must not become its truth.
    return guarded(this.path, () => {
      verifyRunRow(this.path, row);
      const writers = prepared(
        this.db,
        "SELECT label, is_primary, applied_seq, last_step, attempts, summary FROM run_writers WHERE run_pk = ? ORDER BY label",
      ).all(row.pk) as WriterRow[];
      const run = storedSnapshotOf(row);
      if (writers.length === 0) return { projectRunCount: count.n, run };
      return { projectRunCount: count.n, run: { ...run, writers: writers.map(writerSnapshotOf) } };
    });
  }

  /**
   * A dashboard edit of a run's tags and notes: one UPDATE of those columns only (and the edit
   * counter readers' caches watch), so it never touches what the run writes (summary, config,
   * history), and a run record applied later keeps it unless the run itself changed the field.
   * Returns the run as stored afterwards, or undefined when there is no such run.
   */
  editRun(address: { entity: string; project: string; id: string }, edit: RunMetaEdit): RunView | undefined {
    return withBusyRetry(() =>
      this.db
        .transaction(() => {
          const tags = edit.tags === undefined ? undefined : JSON.stringify(edit.tags);
          const changed = prepared(
            this.db,
            `UPDATE runs SET tags = COALESCE(?, tags), tags_crc = COALESCE(?, tags_crc), notes = CASE WHEN ? THEN ? ELSE notes END,
               edits = edits + 1
             WHERE entity = ? AND project = ? AND run_id = ?`,
          ).run(
            tags ?? null,
            tags === undefined ? null : textChecksum(tags),
            edit.notes === undefined ? 0 : 1,
            edit.notes === "" ? null : (edit.notes ?? null),
            address.entity,
            address.project,
            address.id,
          );
          if (changed.changes === 0) return undefined;
          const row = prepared(this.db, "SELECT * FROM runs WHERE entity = ? AND project = ? AND run_id = ?").get(
            address.entity,
            address.project,
            address.id,
          ) as RunRow & RunChecksums;
          verifyRunRow(this.path, row);
          const { pk: _pk, ...view } = runViewOf(row);
          return view;
        })
        .immediate(),
    );
  }

  /** Copies what the WAL holds into the database file, without waiting for readers (PASSIVE). */
  checkpoint(): void {
    this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  close(): void {
    this.db.close();
  }

  /** Makes the run the target of the next `apply` (a server ingests many runs); false when it does not exist. */
  selectRun(entity: string, project: string, id: string): boolean {
    const row = prepared(this.db, "SELECT pk FROM runs WHERE entity = ? AND project = ? AND run_id = ?").get(entity, project, id) as
      | { pk: number }
      | undefined;
    if (row?.pk !== this.context.runPk) this.context.chunks.reset();
    this.context.runPk = row?.pk ?? 0;
    return row !== undefined;
  }

  /** The selected run's (in shared mode: the selected writer's) highest applied record sequence (0 when none). */
  appliedSeq(): number {
    if (this.context.writer !== undefined) return writerAppliedSeq(this.context, this.context.writer);
    const row = prepared(this.db, "SELECT applied_seq FROM runs WHERE pk = ?").get(this.context.runPk) as
      | { applied_seq: number }
      | undefined;
    return row?.applied_seq ?? 0;
  }

  private setAppliedSeq(seq: number, t: number): void {
    if (this.context.writer !== undefined) {
      setWriterAppliedSeq(this.context, this.context.writer, seq, t);
      return;
    }
    prepared(this.db, "UPDATE runs SET applied_seq = MAX(applied_seq, ?), heartbeat_at = MAX(heartbeat_at, ?) WHERE pk = ?").run(
      seq,
      t / 1000,
      this.context.runPk,
    );
  }
}

interface WriterRow {
  label: string;
  is_primary: number;
  applied_seq: number;
  last_step: number;
  attempts: number;
  summary: string | null;
}

function writerSnapshotOf(row: WriterRow): WriterSnapshot {
  return {
    label: row.label,
    primary: row.is_primary === 1,
    appliedSeq: row.applied_seq,
    lastStep: row.last_step,
    attempts: row.attempts,
    summary: row.summary ? decodeJson<Record<string, unknown>>(row.summary) : {},
  };
}
