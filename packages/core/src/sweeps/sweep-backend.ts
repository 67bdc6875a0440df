import type { SweepConfig, TrialView } from "./engine/index.js";

/** A sweep's life: agents take trials only while it is running (W&B's states, lower case). */
export type SweepState = "running" | "paused" | "stopped" | "cancelled" | "finished";

/**
 * A trial as the store keeps it: "pending" once handed out (under a lease), "running" once its
 * agent reports the run started, "queued" when handed back (its agent died before the run began),
 * then the run's final state.
 */
export type TrialState = "queued" | "pending" | TrialView["state"];

export interface SweepAddress {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
}

export interface SweepRecord extends SweepAddress {
  readonly state: SweepState;
  readonly config: SweepConfig;
  /** Unix seconds. */
  readonly createdAt: number;
}

export interface TrialRecord {
  readonly runId: string;
  readonly params: Record<string, unknown>;
  readonly state: TrialState;
  /** The agent holding the trial's lease (undefined once the trial is queued again). */
  readonly agentId: string | undefined;
  /** Unix seconds; the trial is its agent's until then. */
  readonly leaseUntil: number;
  readonly stopRequested: boolean;
  /** The sweep metric's logged values in order (empty without a metric). */
  readonly metricHistory: number[];
}

export type TakeResult =
  | { readonly kind: "trial"; readonly trial: TrialRecord }
  /** Nothing to hand out now (a paused sweep): ask again later. */
  | { readonly kind: "wait"; readonly reason: string }
  /** Nothing will ever be handed out again (stopped, cancelled, finished, grid exhausted, run_cap). */
  | { readonly kind: "done"; readonly reason: string };

export interface TakeOptions {
  readonly agentId: string;
  readonly leaseSeconds: number;
}

export interface ReportOptions {
  readonly agentId: string;
  readonly leaseSeconds: number;
  /** "running" once the run started; a final state when it ended; omitted for a heartbeat. */
  readonly state?: "running" | TrialView["state"];
}

/**
 * Where sweeps live: the store is the controller's memory and its lock. Every decision that
 * depends on other agents (the next trial, a dead agent's trial, runs to stop) is taken inside
 * one store transaction, so any agent may take it and a killed agent loses nothing.
 * SQLite (core) and PostgreSQL (through the team server) implement it; one contract suite
 * (`describeSweepBackendContract`, `@runlog/core/testing`) runs on both.
 */
export interface SweepBackend {
  createSweep(input: { entity: string; project: string; config: SweepConfig; id?: string }): Promise<SweepRecord>;
  getSweep(address: SweepAddress): Promise<SweepRecord | undefined>;
  /** The project's sweeps, newest first (the dashboard's list). */
  listSweeps(entity: string, project: string): Promise<SweepRecord[]>;
  /** Sweeps with this id in any project (a plain id given to `runlog agent`). */
  findSweeps(id: string): Promise<SweepAddress[]>;
  setSweepState(address: SweepAddress, state: SweepState): Promise<SweepRecord>;
  /** Hands out the next trial atomically: at most one agent ever gets a given trial. */
  takeTrial(address: SweepAddress, options: TakeOptions): Promise<TakeResult>;
  /** Heartbeat and state of a trial; answers whether its agent must stop it now. */
  reportTrial(address: SweepAddress, runId: string, options: ReportOptions): Promise<{ stop: boolean }>;
  listTrials(address: SweepAddress): Promise<TrialRecord[]>;
  close(): void;
}
