import { decodeJson } from "../util/json.js";
import type { SweepConfig } from "./engine/index.js";
import type { SweepRecord, SweepState, TrialRecord, TrialState } from "./sweep-backend.js";

// The sweep tables' rows, as both store backends (SQLite here, PostgreSQL in the server) read them.

export interface SweepRow {
  pk: number;
  entity: string;
  project: string;
  sweep_id: string;
  state: SweepState;
  config: string;
  created_at: number;
}

export interface TrialRow {
  run_id: string;
  params: string;
  state: TrialState;
  agent_id: string | null;
  lease_until: number;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  stop_requested: number | boolean;
}

export function sweepRecordOf(row: SweepRow): SweepRecord {
  return {
    entity: row.entity,
    project: row.project,
    id: row.sweep_id,
    state: row.state,
    config: decodeJson(row.config) as SweepConfig,
    createdAt: row.created_at,
  };
}

export function trialRecordOf(row: TrialRow, histories: Map<string, number[]>): TrialRecord {
  return {
    runId: row.run_id,
    params: decodeJson(row.params) as Record<string, unknown>,
    state: row.state,
    agentId: row.agent_id ?? undefined,
    leaseUntil: row.lease_until,
    stopRequested: row.stop_requested === true || row.stop_requested === 1,
    metricHistory: histories.get(row.run_id) ?? [],
  };
}
