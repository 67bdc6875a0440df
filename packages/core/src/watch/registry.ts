import { RunlogError } from "../errors.js";

export type WatchLog = "gradients" | "parameters" | "all" | null;

export interface WatchOptions {
  criterion?: unknown;
  log?: WatchLog;
  logFreq?: number;
  idx?: number;
  logGraph?: boolean;
  /** Only watch parameters whose name passes (better than W&B, which has no filter). */
  filter?: readonly string[] | RegExp | ((name: string) => boolean);
}

export interface ResolvedWatchOptions {
  readonly criterion?: unknown;
  readonly log: WatchLog;
  readonly logFreq: number;
  readonly idx?: number;
  readonly logGraph: boolean;
  readonly accepts: (parameterName: string) => boolean;
}

/** What a watcher may do with the run: log histograms that join the next step, and put the model's graph in the summary (`logGraph`). */
export interface WatchTarget {
  log(data: Record<string, unknown>, options: { commit: false }): void;
  readonly summary: { set(key: string, value: unknown): void };
}

export interface WatchHandle {
  /** Removes every hook the watcher installed and restores the model exactly. */
  remove(): void;
}

/**
 * Implemented by the JavaScript adapters (tfjs, onnx) and registered when they are imported.
 * PyTorch models are watched in Python (`runlog.watch`); the bridge only carries what it logs.
 */
export interface ModelWatcher {
  readonly name: string;
  claims(model: unknown): boolean;
  watch(model: unknown, run: WatchTarget, options: ResolvedWatchOptions): WatchHandle;
}

const watchers: ModelWatcher[] = [];

/** Registers a watcher; re-registering the same name replaces it (a second copy of an adapter). */
export function registerWatcher(watcher: ModelWatcher): void {
  const existing = watchers.findIndex((w) => w.name === watcher.name);
  if (existing === -1) watchers.push(watcher);
  else watchers[existing] = watcher;
}

export function findWatcher(model: unknown): ModelWatcher {
  const watcher = watchers.find((w) => w.claims(model));
  if (watcher !== undefined) return watcher;
  const kind = typeof model === "object" && model !== null ? (model.constructor?.name ?? "object") : typeof model;
  throw new RunlogError(
    "NO_WATCHER",
    `No watcher claims this model (${kind}). Import the adapter for your framework first: "@runlog/tfjs" for tf.LayersModel, "@runlog/onnx" for onnxruntime sessions; PyTorch models are watched from Python through the bridge.`,
  );
}

export function resolveWatchOptions(options: WatchOptions = {}): ResolvedWatchOptions {
  const { log = "gradients", logFreq = 1000, idx, logGraph = false, filter, criterion } = options;
  if (log !== null && log !== "gradients" && log !== "parameters" && log !== "all") {
    throw new RunlogError("INVALID_ARGUMENT", `watch: log must be "gradients", "parameters", "all" or null, got ${String(log)}.`);
  }
  if (!Number.isSafeInteger(logFreq) || logFreq < 1) {
    throw new RunlogError("INVALID_ARGUMENT", `watch: logFreq must be a positive integer, got ${String(logFreq)}.`);
  }
  if (idx !== undefined && (!Number.isSafeInteger(idx) || idx < 0)) {
    throw new RunlogError("INVALID_ARGUMENT", `watch: idx must be a non-negative integer, got ${String(idx)}.`);
  }
  let accepts: (name: string) => boolean = () => true;
  if (Array.isArray(filter)) accepts = (name) => filter.includes(name);
  else if (filter instanceof RegExp) accepts = (name) => filter.test(name);
  else if (typeof filter === "function") accepts = filter as (name: string) => boolean;
  else if (filter !== undefined)
    throw new RunlogError("INVALID_ARGUMENT", "watch: filter must be an array of names, a RegExp or a function.");
  return { criterion, log, logFreq, ...(idx === undefined ? {} : { idx }), logGraph: Boolean(logGraph), accepts };
}
