import { decodeJson, encodeJson, RunlogError, type StoreReader, type SweepConfig } from "@runlog/core";
import {
  checkSweepTransition,
  effectiveState,
  engineView,
  expiredTrialState,
  generateRunId,
  isFinalTrialState,
  proposeNext,
  type ReportOptions,
  type RunRow,
  readMetricHistories,
  runsToStop,
  type SweepAddress,
  type SweepBackend,
  type SweepRecord,
  type SweepRow,
  type SweepState,
  sweepRecordOf,
  type TakeOptions,
  type TakeResult,
  type TrialRecord,
  type TrialRow,
  trialRecordOf,
} from "@runlog/core/store-kit";
import type { Pool, PoolClient } from "pg";
import { inTransaction } from "../postgres/pg-pool.js";

/** node-postgres reads the BOOLEAN column as a boolean. */
type PgTrialRow = TrialRow & { stop_requested: boolean };

export interface PgSweepBackendOptions {
  readonly random?: () => number;
  readonly now?: () => number;
}

const SWEEP_BY_ADDRESS = "SELECT * FROM sweeps WHERE entity = $1 AND project = $2 AND sweep_id = $3";

/**
 * Sweeps in the team store (migration 6), with the SQLite backend's semantics (the rules are
 * core's trial-rules.ts). Every decision is one transaction that first locks the sweep's row
 * (`SELECT … FOR UPDATE`): agents on any number of servers take, report and expire one sweep's
 * trials one at a time, while other sweeps go on in parallel. Metric histories are read before,
 * outside the lock (they only grow).
 */
export class PgSweepBackend implements SweepBackend {
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly pool: Pool,
    private readonly reader: StoreReader,
    options: PgSweepBackendOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  async createSweep(input: { entity: string; project: string; config: SweepConfig; id?: string }): Promise<SweepRecord> {
    const id = input.id ?? generateRunId();
    const { rows } = await this.pool.query<SweepRow>(
      `INSERT INTO sweeps (entity, project, sweep_id, state, config, created_at) VALUES ($1, $2, $3, 'running', $4, $5)
       ON CONFLICT (entity, project, sweep_id) DO NOTHING RETURNING *`,
      [input.entity, input.project, id, encodeJson(input.config), this.now()],
    );
    const row = rows[0];
    if (row === undefined) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `A sweep with id "${id}" already exists in ${input.entity}/${input.project}; choose another id.`,
      );
    }
    return sweepRecordOf(row);
  }

  async getSweep(address: SweepAddress): Promise<SweepRecord | undefined> {
    const { rows } = await this.pool.query<SweepRow>(SWEEP_BY_ADDRESS, [address.entity, address.project, address.id]);
    return rows[0] === undefined ? undefined : sweepRecordOf(rows[0]);
  }

  async listSweeps(entity: string, project: string): Promise<SweepRecord[]> {
    const { rows } = await this.pool.query<SweepRow>(
      "SELECT * FROM sweeps WHERE entity = $1 AND project = $2 ORDER BY created_at DESC, pk DESC",
      [entity, project],
    );
    return rows.map(sweepRecordOf);
  }

  async findSweeps(id: string): Promise<SweepAddress[]> {
    const { rows } = await this.pool.query<SweepRow>(
      "SELECT entity, project, sweep_id FROM sweeps WHERE sweep_id = $1 ORDER BY created_at",
      [id],
    );
    return rows.map((row) => ({ entity: row.entity, project: row.project, id: row.sweep_id }));
  }

  async setSweepState(address: SweepAddress, state: SweepState): Promise<SweepRecord> {
    return this.locked(address, async (client, sweep) => {
      checkSweepTransition(address.id, sweep.state, state);
      await client.query("UPDATE sweeps SET state = $1 WHERE pk = $2", [state, sweep.pk]);
      return sweepRecordOf({ ...sweep, state });
    });
  }

  async takeTrial(address: SweepAddress, options: TakeOptions): Promise<TakeResult> {
    const histories = await this.histories(address);
    return this.locked(address, async (client, sweep): Promise<TakeResult> => {
      const now = this.now();
      await this.expireLeases(client, sweep, now);
      if (sweep.state === "paused") return { kind: "wait", reason: `sweep ${address.id} is paused` };
      if (sweep.state !== "running") return { kind: "done", reason: `sweep ${address.id} is ${sweep.state}` };
      const lease = now + options.leaseSeconds;
      const queued = await client.query<PgTrialRow>(
        `UPDATE sweep_trials SET state = 'pending', agent_id = $1, lease_until = $2
         WHERE sweep_pk = $3 AND run_id = (SELECT run_id FROM sweep_trials WHERE sweep_pk = $3 AND state = 'queued' ORDER BY seq LIMIT 1)
         RETURNING *`,
        [options.agentId, lease, sweep.pk],
      );
      if (queued.rows[0] !== undefined) return { kind: "trial", trial: trialRecordOf(queued.rows[0], histories) };
      const trials = await this.trialsOf(client, sweep.pk, histories);
      const proposal = proposeNext(decodeJson<SweepConfig>(sweep.config), engineView(trials), this.random);
      if ("done" in proposal) {
        if (trials.every((trial) => isFinalTrialState(trial.state)))
          await client.query("UPDATE sweeps SET state = 'finished' WHERE pk = $1", [sweep.pk]);
        return { kind: "done", reason: proposal.reason };
      }
      const { rows } = await client.query<PgTrialRow>(
        `INSERT INTO sweep_trials (sweep_pk, run_id, seq, params, state, agent_id, lease_until, created_at)
         VALUES ($1, $2, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sweep_trials WHERE sweep_pk = $1), $3, 'pending', $4, $5, $6)
         RETURNING *`,
        [sweep.pk, generateRunId(), encodeJson(proposal.params), options.agentId, lease, now],
      );
      return { kind: "trial", trial: trialRecordOf(rows[0] as PgTrialRow, histories) };
    });
  }

  async reportTrial(address: SweepAddress, runId: string, options: ReportOptions): Promise<{ stop: boolean }> {
    const histories = await this.histories(address);
    return this.locked(address, async (client, sweep) => {
      const row = (await client.query<PgTrialRow>("SELECT * FROM sweep_trials WHERE sweep_pk = $1 AND run_id = $2", [sweep.pk, runId]))
        .rows[0];
      if (row === undefined) throw new RunlogError("RUN_NOT_FOUND", `Sweep ${address.id} has no trial ${runId}.`);
      if (!isFinalTrialState(row.state)) {
        const state = options.state ?? (row.state === "queued" ? "pending" : row.state);
        await client.query("UPDATE sweep_trials SET state = $1, agent_id = $2, lease_until = $3 WHERE sweep_pk = $4 AND run_id = $5", [
          state,
          options.agentId,
          this.now() + options.leaseSeconds,
          sweep.pk,
          runId,
        ]);
      }
      if (options.state !== undefined && isFinalTrialState(options.state)) return { stop: false };
      const config = decodeJson<SweepConfig>(sweep.config);
      const toStop = runsToStop(config, engineView(await this.trialsOf(client, sweep.pk, histories)));
      if (toStop.length > 0) {
        await client.query(
          "UPDATE sweep_trials SET stop_requested = TRUE WHERE sweep_pk = $1 AND run_id = ANY($2::text[]) AND state IN ('pending', 'running')",
          [sweep.pk, toStop],
        );
      }
      return { stop: sweep.state === "cancelled" || toStop.includes(runId) || row.stop_requested };
    });
  }

  async listTrials(address: SweepAddress): Promise<TrialRecord[]> {
    const histories = await this.histories(address);
    const sweep = await this.requireSweep(this.pool, address);
    const { rows } = await this.pool.query<PgTrialRow>("SELECT * FROM sweep_trials WHERE sweep_pk = $1 ORDER BY seq", [sweep.pk]);
    return rows.map((row) => trialRecordOf(row, histories));
  }

  /** The pool belongs to the server's store, which ends it. */
  close(): void {}

  /** One transaction holding the sweep row's lock from the first read to the commit. */
  private locked<T>(address: SweepAddress, work: (client: PoolClient, sweep: SweepRow) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => work(client, await this.requireSweep(client, address, "FOR UPDATE")));
  }

  private async requireSweep(db: Pool | PoolClient, address: SweepAddress, lock = ""): Promise<SweepRow> {
    const { rows } = await db.query<SweepRow>(`${SWEEP_BY_ADDRESS} ${lock}`, [address.entity, address.project, address.id]);
    if (rows[0] === undefined) {
      throw new RunlogError(
        "SWEEP_NOT_FOUND",
        `No sweep ${address.entity}/${address.project}/${address.id} on this server; create one with \`runlog sweep config.yaml\`.`,
      );
    }
    return rows[0];
  }

  private async histories(address: SweepAddress): Promise<Map<string, number[]>> {
    const sweep = await this.getSweep(address);
    const metric = sweep?.config.metric?.name;
    if (sweep === undefined || metric === undefined) return new Map();
    const { rows } = await this.pool.query<{ run_id: string }>(
      "SELECT t.run_id FROM sweep_trials t JOIN sweeps s ON s.pk = t.sweep_pk WHERE s.entity = $1 AND s.project = $2 AND s.sweep_id = $3",
      [address.entity, address.project, address.id],
    );
    return readMetricHistories(
      this.reader,
      address.entity,
      address.project,
      rows.map((row) => row.run_id),
      metric,
    );
  }

  /** Trials whose agent stopped heartbeating: requeued, or given their run's state (trial-rules.ts). */
  private async expireLeases(client: PoolClient, sweep: SweepRow, now: number): Promise<void> {
    const { rows } = await client.query<{ run_id: string; state: RunRow["state"] | null; heartbeat_at: number; crash_timeout: number }>(
      `SELECT t.run_id, r.state, r.heartbeat_at, r.crash_timeout FROM sweep_trials t
       LEFT JOIN runs r ON r.entity = $2 AND r.project = $3 AND r.run_id = t.run_id
       WHERE t.sweep_pk = $1 AND t.state IN ('pending', 'running') AND t.lease_until < $4`,
      [sweep.pk, sweep.entity, sweep.project, now],
    );
    for (const row of rows) {
      const run = row.state === null ? undefined : { state: effectiveState(row.state, row.heartbeat_at, row.crash_timeout, now) };
      const state = expiredTrialState(run);
      await client.query(
        "UPDATE sweep_trials SET state = $1, agent_id = CASE WHEN $1 = 'queued' THEN NULL ELSE agent_id END WHERE sweep_pk = $2 AND run_id = $3",
        [state, sweep.pk, row.run_id],
      );
    }
  }

  private async trialsOf(client: PoolClient, sweepPk: number, histories: Map<string, number[]>): Promise<TrialRecord[]> {
    const { rows } = await client.query<PgTrialRow>("SELECT * FROM sweep_trials WHERE sweep_pk = $1 ORDER BY seq", [sweepPk]);
    return rows.map((row) => trialRecordOf(row, histories));
  }
}
