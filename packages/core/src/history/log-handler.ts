import { describeValue, RunlogError } from "../errors.js";
import type { MetricRegistry } from "../metrics/metric-registry.js";
import type { SummaryEntry, SummaryTracker } from "../metrics/summary-tracker.js";
import type { Column, HistoryBatch } from "../pipeline/history-batch.js";
import { keyProblem } from "../util/plain-value.js";
import { type FlattenContext, flattenInto, isPlainObject, MAX_KEY_LENGTH } from "./flatten.js";
import { PartialRow } from "./partial-row.js";

export interface LogOptions {
  step?: number | bigint;
  commit?: boolean;
}

/** Per-key state cached so that committing a row costs one map lookup per key. */
interface KeyState {
  readonly column: Column;
  readonly summary: SummaryEntry;
  readonly isStepMetric: boolean;
}

export interface LogHandlerOptions {
  readonly metrics: MetricRegistry;
  readonly summary: SummaryTracker;
  readonly batch: HistoryBatch;
  readonly runDir: string;
  readonly startedAt: number;
  readonly onStepRegression: "warn-drop" | "error";
  readonly warn: (message: string) => void;
  readonly firstStep: number;
}

/**
 * W&B's step/commit state machine, on the caller's thread:
 * - no step, no commit → the row is committed as a new step;
 * - `commit: false` → values accumulate into the current step;
 * - `step` given without commit → accumulate into that step (a higher step commits the pending row first);
 * - a step lower than the current one is dropped with a warning (or throws with onStepRegression "error").
 */
export class LogHandler {
  /** The step the next committed row gets (`run.step`). */
  step: number;
  /** The highest step committed, -1 before the first. */
  lastCommittedStep = -1;
  private readonly row = new PartialRow();
  /** An uncommitted log() touched this step, even with no values: W&B writes that row when the step moves on. */
  private rowOpen = false;
  private readonly keys = new Map<string, KeyState>();
  private readonly latestStepValues = new Map<string, number>();
  private readonly context: FlattenContext & { step: number };
  private readonly ancestors: object[] = [];
  private regressionWarnings = 0;
  // The fast path's scratch space, and the key layout of the previous flat row: training
  // loops log the same keys in the same order every step, so states are reused by position.
  private flatKeys: string[] = [];
  private flatValues = new Float64Array(64);
  private shapeKeys: string[] = [];
  private shapeStates: KeyState[] = [];
  /** States of the keys every row gets (looked up once, not three map lookups a row). */
  private rowKeys: { runtime: KeyState; timestamp: KeyState; step: KeyState } | undefined;

  constructor(private readonly options: LogHandlerOptions) {
    this.step = options.firstStep;
    this.context = { step: this.step, runDir: options.runDir, problems: [] };
  }

  log(data: unknown, options?: LogOptions): void {
    if (typeof data !== "object" || data === null || (!isPlainObject(data) && !(data instanceof Map))) {
      throw new RunlogError("INVALID_ARGUMENT", `run.log needs an object of key → value, got ${describeValue(data)}.`);
    }
    // A pending row (commit: false earlier) takes the general path: no need to gather keys first.
    if (options === undefined && this.row.size === 0 && !this.rowOpen && this.tryFlatScalars(data)) return;
    let step: number | undefined;
    let commit: boolean | undefined;
    if (options !== undefined) {
      if (typeof options !== "object" || options === null) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `run.log options must be an object like { step, commit }, got ${describeValue(options)}.`,
        );
      }
      commit = options.commit;
      if (commit !== undefined && typeof commit !== "boolean") {
        throw new RunlogError("INVALID_ARGUMENT", `run.log: commit must be a boolean, got ${describeValue(commit)}.`);
      }
      if (options.step !== undefined) step = validateStep(options.step);
    }
    if (step !== undefined) {
      if (step > this.step) {
        if (this.row.size > 0 || this.rowOpen) this.commitRow();
        this.step = step;
      } else if (step < this.step) {
        this.rejectRegression(step, data);
        return;
      }
    }
    const context = this.context;
    context.step = this.step;
    context.problems.length = 0;
    // The root is an ancestor too: `data.self = data` is a cycle, not 32 levels of copies.
    this.ancestors.push(data);
    try {
      flattenInto(data, "", this.row, context, 0, this.ancestors);
    } catch (error) {
      // A getter or proxy trap of the caller's object threw: the leaves read so far are kept.
      context.problems.push({ key: "(reading the object)", reason: error instanceof Error ? error.message : String(error) });
    } finally {
      this.ancestors.length = 0;
    }
    if (commit ?? step === undefined) this.commitRow();
    else this.rowOpen = true;
    if (context.problems.length > 0) {
      const list = context.problems.map((p) => `${JSON.stringify(p.key)}: ${p.reason}`).join("; ");
      throw new RunlogError("INVALID_VALUE", `run.log skipped ${context.problems.length} value(s) (the others were logged): ${list}.`, {
        details: { problems: [...context.problems] },
      });
    }
  }

  /** Commits the pending row if it has values (finish does this, as W&B does at exit). */
  flushPending(): void {
    if (this.row.size > 0) this.commitRow();
  }

  /**
   * The common call, `log({ loss: 0.1, acc: 0.9 })`, without options or a pending row:
   * values go straight from the caller's object into the columns. Anything unusual (a
   * non-number, a nested object, a reserved or odd key, step metrics) takes the general path.
   */
  private tryFlatScalars(data: object): boolean {
    try {
      return this.tryCommitFlatScalars(data);
    } catch {
      return false; // a throwing getter: the general path reports it
    }
  }

  private tryCommitFlatScalars(data: object): boolean {
    if (this.options.metrics.stepMetrics.size > 0 || !isPlainObject(data)) return false;
    const record = data as Record<string, unknown>;
    const keys = this.flatKeys;
    let values = this.flatValues;
    let count = 0;
    for (const key in record) {
      const value = record[key];
      if (typeof value !== "number") return false;
      if (count === values.length) {
        values = new Float64Array(count * 2);
        values.set(this.flatValues);
        this.flatValues = values;
      }
      keys[count] = key;
      values[count] = value;
      count++;
    }
    if (Object.getOwnPropertySymbols(data).length > 0) return false;
    return this.logScalars(keys, values, count);
  }

  /**
   * A row of `count` flat scalars as parallel arrays, committed as a new step, as `log` would
   * without options. False (nothing logged) when the row needs the general path: a pending row,
   * step metrics, an empty, reserved ("_…"), overlong or repeated key. The bridge decodes rows
   * straight into such arrays.
   */
  logScalars(keys: readonly string[], values: Float64Array, count: number): boolean {
    if (count === 0 || this.row.size > 0 || this.rowOpen || this.options.metrics.stepMetrics.size > 0) return false;
    const states = this.statesFor(keys, count);
    if (states === undefined) return false;
    const step = this.step;
    const summary = this.options.summary;
    for (let i = 0; i < count; i++) {
      const state = states[i] as KeyState;
      const value = values[i] as number;
      state.column.push(step, value);
      summary.observeScalar(state.summary, value);
    }
    this.finishRow(step, count, false);
    return true;
  }

  /**
   * Key states for the first `count` keys, reusing the previous row's when the layout repeats;
   * a new layout is checked once (undefined: a key the fast path must not take).
   */
  private statesFor(keys: readonly string[], count: number): readonly KeyState[] | undefined {
    const shape = this.shapeKeys;
    let same = shape.length === count;
    for (let i = 0; same && i < count; i++) same = shape[i] === keys[i];
    if (!same) {
      const layout = keys.slice(0, count);
      const simple = (key: string) =>
        key.length > 0 && key.length <= MAX_KEY_LENGTH && key.charCodeAt(0) !== 95 && keyProblem(key) === undefined;
      if (!layout.every(simple) || new Set(layout).size !== count) return undefined;
      this.shapeKeys = layout;
      this.shapeStates = layout.map((key) => this.keyState(key));
    }
    return this.shapeStates;
  }

  private commitRow(): void {
    this.rowOpen = false;
    const { batch, summary, metrics } = this.options;
    const row = this.row;
    const step = this.step;
    if (metrics.size > 0) this.syncStepMetrics();
    const keys = row.scalarKeys;
    const values = row.scalarValues;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const value = values[i] as number;
      const state = this.keyState(key);
      state.column.push(step, value);
      summary.observeScalar(state.summary, value);
      if (state.isStepMetric) this.latestStepValues.set(key, value);
    }
    if (row.others.size > 0) {
      const record: Record<string, unknown> = {};
      for (const [key, value] of row.others) {
        record[key] = value;
        summary.observeOther(this.keyState(key).summary, row.summaryValues.has(key) ? row.summaryValues.get(key) : value);
      }
      batch.addValues(step, record, row.others.size);
    }
    this.finishRow(step, keys.length, row.hasScalar("_timestamp"));
    row.clear();
  }

  /** Adds `_runtime`, `_timestamp` (unless the user gave one) and `_step`, then moves to the next step. */
  private finishRow(step: number, scalars: number, hasTimestamp: boolean): void {
    const summary = this.options.summary;
    const now = Date.now();
    const runtime = (now - this.options.startedAt) / 1000;
    this.rowKeys ??= { runtime: this.keyState("_runtime"), timestamp: this.keyState("_timestamp"), step: this.keyState("_step") };
    const { runtime: runtimeState, timestamp, step: stepState } = this.rowKeys;
    runtimeState.column.push(step, runtime);
    summary.observeScalar(runtimeState.summary, runtime);
    let points = scalars + 1;
    if (!hasTimestamp) {
      timestamp.column.push(step, now / 1000);
      summary.observeScalar(timestamp.summary, now / 1000);
      points++;
    }
    summary.observeScalar(stepState.summary, step);
    this.options.batch.points += points;
    this.lastCommittedStep = step;
    this.step = step + 1;
  }

  /** stepSync: a key with a step metric gets that metric's latest value when the row lacks it
   * (media and other non-scalar keys too, as in W&B: a logged table lands at the step metric's value). */
  private syncStepMetrics(): void {
    const missing: [string, number][] = [];
    for (const key of this.row.scalarKeys) this.collectMissingStepMetric(key, missing);
    for (const key of this.row.others.keys()) this.collectMissingStepMetric(key, missing);
    for (const [key, value] of missing) this.row.setScalar(key, value);
  }

  private collectMissingStepMetric(key: string, missing: [string, number][]): void {
    const metric = this.options.metrics.resolve(key);
    if (metric?.stepMetric !== undefined && metric.stepSync && !this.row.has(metric.stepMetric)) {
      missing.push([metric.stepMetric, this.latestStepValues.get(metric.stepMetric) ?? 0]);
    }
  }

  private keyState(key: string): KeyState {
    let state = this.keys.get(key);
    if (state === undefined) {
      state = {
        column: this.options.batch.column(key),
        summary: this.options.summary.entry(key),
        isStepMetric: this.options.metrics.stepMetrics.has(key),
      };
      this.keys.set(key, state);
    }
    return state;
  }

  /** defineMetric may turn an already-seen key into a step metric. */
  invalidateKeyCache(): void {
    this.keys.clear();
    this.rowKeys = undefined;
    this.shapeKeys = [];
    this.shapeStates = [];
  }

  private rejectRegression(step: number, data: object): void {
    const message = `Tried to log to step ${step} that is less than the current step ${this.step}. Steps must be monotonically increasing, so this data will be ignored. Use defineMetric with a stepMetric to log data out of order.`;
    if (this.options.onStepRegression === "error") {
      throw new RunlogError("STEP_REGRESSION", message, { details: { step, currentStep: this.step } });
    }
    this.regressionWarnings++;
    if (this.regressionWarnings <= 10 || this.regressionWarnings % 1000 === 0) {
      const keys = Object.keys(data).slice(0, 5).join(", ");
      this.options.warn(`${message} (keys: ${keys}${this.regressionWarnings > 10 ? `; ${this.regressionWarnings} drops so far` : ""})`);
    }
  }
}

function validateStep(step: unknown): number {
  const n = typeof step === "bigint" && step <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(step) : step;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new RunlogError("INVALID_ARGUMENT", `step must be a non-negative integer, got ${describeValue(step)}.`);
  }
  return n;
}
