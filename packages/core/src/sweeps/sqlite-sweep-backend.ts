import type Database from "better-sqlite3";
import { RunlogError } from "../errors.js";
import type { RunState } from "../pipeline/records.js";
import { effectiveState } from "../store/run-state.js";
import { openDatabase, withBusyRetry } from "../store/sqlite/database.js";
import { prepared } from "../store/sqlite/prepared.js";
import { SqliteReader } from "../store/sqlite/sqlite-reader.js";
import { decodeJson, encodeJson } from "../util/json.js";
import { generateRunId } from "../util/names.js";
import { proposeNext, runsToStop, type SweepConfig } from "./engine/index.js";
import { readMetricHistories } from "./metric-history.js";
import type {
  ReportOptions,
  SweepAddress,
  SweepBackend,
  SweepRecord,
  SweepState,
  TakeOptions,
  TakeResult,
  TrialRecord,
} from "./sweep-backend.js";
import { type SweepRow, sweepRecordOf, type TrialRow, trialRecordOf } from "./sweep-rows.js";
import { checkSweepTransition, engineView, expiredTrialState, isFinalTrialState } from "./trial-rules.js";

/** The critical steps of a hand-out, named so a test can force every interleaving of two takers. */
export type TakeStep = "locked" | "decided" | "written";

export interface SqliteSweepBackendOptions {
  readonly random?: () => number;
  readonly now?: () => number;
  /** Called inside the transaction at each critical step (tests). */
  readonly onStep?: (step: TakeStep) => void;
  /** How long to wait for another process's write lock (default 10 minutes). */
  readonly busyWaitMs?: number;
}

/**
 * Sweeps in the embedded store. Every decision is one `BEGIN IMMEDIATE` transaction: SQLite's
 * write lock is taken before the first read, so two agents (threads, processes) can never both
 * see a point as free. Metric histories are read before, outside the lock.
 */
export class SqliteSweepBackend implements SweepBackend {
  private readonly db: Database.Database;
  private reader: SqliteReader | undefined;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    readonly path: string,
    private readonly options: SqliteSweepBackendOptions = {},
  ) {
    this.db = openDatabase(path);
    // SQLite's own wait happens inside one call; a caller that must not wait says so.
    if (options.busyWaitMs !== undefined && options.busyWaitMs < 10_000)
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyWaitMs))}`);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  async createSweep(input: { entity: string; project: string; config: SweepConfig; id?: string }): Promise<SweepRecord> {
    const id = input.id ?? generateRunId();
    return this.locked(() => {
      if (this.sweepRow({ entity: input.entity, project: input.project, id }) !== undefined) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `A sweep with id "${id}" already exists in ${input.entity}/${input.project}; choose another id.`,
        );
      }
      prepared(this.db, "INSERT INTO sweeps (entity, project, sweep_id, state, config, created_at) VALUES (?, ?, ?, 'running', ?, ?)").run(
        input.entity,
        input.project,
        id,
        encodeJson(input.config),
        this.now(),
      );
      return sweepRecordOf(this.sweepRow({ entity: input.entity, project: input.project, id }) as SweepRow);
    });
  }

  async getSweep(address: SweepAddress): Promise<SweepRecord | undefined> {
    const row = this.sweepRow(address);
    return row === undefined ? undefined : sweepRecordOf(row);
  }

  async listSweeps(entity: string, project: string): Promise<SweepRecord[]> {
    const rows = prepared(this.db, "SELECT * FROM sweeps WHERE entity = ? AND project = ? ORDER BY created_at DESC, pk DESC").all(
      entity,
      project,
    ) as SweepRow[];
    return rows.map(sweepRecordOf);
  }

  async findSweeps(id: string): Promise<SweepAddress[]> {
    const rows = prepared(this.db, "SELECT entity, project, sweep_id FROM sweeps WHERE sweep_id = ? ORDER BY created_at").all(id) as {
      entity: string;
      project: string;
      sweep_id: string;
    }[];
    return rows.map((row) => ({ entity: row.entity, project: row.project, id: row.sweep_id }));
  }

  async setSweepState(address: SweepAddress, state: SweepState): Promise<SweepRecord> {
    return this.locked(() => {
      const row = this.requireSweep(address);
      checkSweepTransition(address.id, row.state, state);
      prepared(this.db, "UPDATE sweeps SET state = ? WHERE pk = ?").run(state, row.pk);
      return sweepRecordOf({ ...row, state });
    });
  }

  async takeTrial(address: SweepAddress, options: TakeOptions): Promise<TakeResult> {
    return this.takeTrialLocked(address, options, await this.histories(address));
  }

  /** The hand-out itself, synchronous from lock to commit (public so a test can interleave two). */
  takeTrialLocked(address: SweepAddress, options: TakeOptions, histories: Map<string, number[]> = new Map()): TakeResult {
    return this.locked(() => {
      const sweep = this.requireSweep(address);
      this.options.onStep?.("locked");
      const now = this.now();
      this.expireLeases(sweep, now);
      if (sweep.state === "paused") return { kind: "wait", reason: `sweep ${address.id} is paused` };
      if (sweep.state !== "running") return { kind: "done", reason: `sweep ${address.id} is ${sweep.state}` };
      const lease = now + options.leaseSeconds;
      const queued = prepared(this.db, "SELECT run_id FROM sweep_trials WHERE sweep_pk = ? AND state = 'queued' ORDER BY seq LIMIT 1").get(
        sweep.pk,
      ) as { run_id: string } | undefined;
      if (queued !== undefined) {
        this.options.onStep?.("decided");
        prepared(this.db, "UPDATE sweep_trials SET state = 'pending', agent_id = ?, lease_until = ? WHERE sweep_pk = ? AND run_id = ?").run(
          options.agentId,
          lease,
          sweep.pk,
          queued.run_id,
        );
        this.options.onStep?.("written");
        return { kind: "trial", trial: this.trial(sweep.pk, queued.run_id, histories) };
      }
      const trials = this.trialsOf(sweep.pk, histories);
      const config = decodeJson(sweep.config) as SweepConfig;
      const proposal = proposeNext(config, engineView(trials), this.random);
      this.options.onStep?.("decided");
      if ("done" in proposal) {
        if (trials.every((trial) => isFinalTrialState(trial.state)))
          prepared(this.db, "UPDATE sweeps SET state = 'finished' WHERE pk = ?").run(sweep.pk);
        return { kind: "done", reason: proposal.reason };
      }
      const runId = generateRunId();
      prepared(
        this.db,
        `INSERT INTO sweep_trials (sweep_pk, run_id, seq, params, state, agent_id, lease_until, created_at)
         VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sweep_trials WHERE sweep_pk = ?), ?, 'pending', ?, ?, ?)`,
      ).run(sweep.pk, runId, sweep.pk, encodeJson(proposal.params), options.agentId, lease, now);
      this.options.onStep?.("written");
      return { kind: "trial", trial: this.trial(sweep.pk, runId, histories) };
    });
  }

  async reportTrial(address: SweepAddress, runId: string, options: ReportOptions): Promise<{ stop: boolean }> {
    const histories = await this.histories(address);
    return this.locked(() => {
      const sweep = this.requireSweep(address);
      const row = this.trialRow(sweep.pk, runId);
      if (row === undefined) throw new RunlogError("RUN_NOT_FOUND", `Sweep ${address.id} has no trial ${runId}.`);
      const now = this.now();
      if (!isFinalTrialState(row.state)) {
        const state = options.state ?? (row.state === "queued" ? "pending" : row.state);
        prepared(this.db, "UPDATE sweep_trials SET state = ?, agent_id = ?, lease_until = ? WHERE sweep_pk = ? AND run_id = ?").run(
          state,
          options.agentId,
          now + options.leaseSeconds,
          sweep.pk,
          runId,
        );
      }
      if (options.state !== undefined && isFinalTrialState(options.state)) return { stop: false };
      const config = decodeJson(sweep.config) as SweepConfig;
      const toStop = new Set(runsToStop(config, engineView(this.trialsOf(sweep.pk, histories))));
      for (const id of toStop) {
        prepared(
          this.db,
          "UPDATE sweep_trials SET stop_requested = 1 WHERE sweep_pk = ? AND run_id = ? AND state IN ('pending', 'running')",
        ).run(sweep.pk, id);
      }
      return { stop: sweep.state === "cancelled" || toStop.has(runId) || row.stop_requested === 1 };
    });
  }

  async listTrials(address: SweepAddress): Promise<TrialRecord[]> {
    const histories = await this.histories(address);
    const sweep = this.requireSweep(address);
    return this.trialsOf(sweep.pk, histories);
  }

  close(): void {
    this.reader?.close();
    this.db.close();
  }

  /** One IMMEDIATE transaction: the write lock is held from the first read to the commit. */
  private locked<T>(fn: () => T): T {
    return withBusyRetry(() => this.db.transaction(fn).immediate(), this.options.busyWaitMs);
  }

  private async histories(address: SweepAddress): Promise<Map<string, number[]>> {
    const row = this.sweepRow(address);
    const metric = row === undefined ? undefined : (decodeJson(row.config) as SweepConfig).metric?.name;
    if (row === undefined || metric === undefined) return new Map();
    this.reader ??= new SqliteReader(this.path);
    const ids = (prepared(this.db, "SELECT run_id FROM sweep_trials WHERE sweep_pk = ?").all(row.pk) as { run_id: string }[]).map(
      (r) => r.run_id,
    );
    return readMetricHistories(this.reader, address.entity, address.project, ids, metric);
  }

  /** Trials whose agent stopped heartbeating: requeued, or given their run's state (trial-rules.ts). */
  private expireLeases(sweep: SweepRow, now: number): void {
    const expired = prepared(
      this.db,
      "SELECT run_id FROM sweep_trials WHERE sweep_pk = ? AND state IN ('pending', 'running') AND lease_until < ?",
    ).all(sweep.pk, now) as { run_id: string }[];
    for (const { run_id } of expired) {
      const run = prepared(
        this.db,
        "SELECT state, heartbeat_at, crash_timeout FROM runs WHERE entity = ? AND project = ? AND run_id = ?",
      ).get(sweep.entity, sweep.project, run_id) as { state: RunState; heartbeat_at: number; crash_timeout: number } | undefined;
      const state = expiredTrialState(run && { state: effectiveState(run.state, run.heartbeat_at, run.crash_timeout, now) });
      prepared(
        this.db,
        "UPDATE sweep_trials SET state = ?, agent_id = CASE WHEN ? = 'queued' THEN NULL ELSE agent_id END WHERE sweep_pk = ? AND run_id = ?",
      ).run(state, state, sweep.pk, run_id);
    }
  }

  private sweepRow(address: SweepAddress): SweepRow | undefined {
    return prepared(this.db, "SELECT * FROM sweeps WHERE entity = ? AND project = ? AND sweep_id = ?").get(
      address.entity,
      address.project,
      address.id,
    ) as SweepRow | undefined;
  }

  private requireSweep(address: SweepAddress): SweepRow {
    const row = this.sweepRow(address);
    if (row === undefined) {
      throw new RunlogError(
        "SWEEP_NOT_FOUND",
        `No sweep ${address.entity}/${address.project}/${address.id} in ${this.path}; create one with \`runlog sweep config.yaml\`.`,
      );
    }
    return row;
  }

  private trialRow(sweepPk: number, runId: string): TrialRow | undefined {
    return prepared(this.db, "SELECT * FROM sweep_trials WHERE sweep_pk = ? AND run_id = ?").get(sweepPk, runId) as TrialRow | undefined;
  }

  private trial(sweepPk: number, runId: string, histories: Map<string, number[]>): TrialRecord {
    return trialRecordOf(this.trialRow(sweepPk, runId) as TrialRow, histories);
  }

  private trialsOf(sweepPk: number, histories: Map<string, number[]>): TrialRecord[] {
    const rows = prepared(this.db, "SELECT * FROM sweep_trials WHERE sweep_pk = ? ORDER BY seq").all(sweepPk) as TrialRow[];
    return rows.map((row) => trialRecordOf(row, histories));
  }
}
