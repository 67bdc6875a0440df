import type { Artifact } from "../artifacts/artifact.js";
import type { LogArtifactOptions, RunArtifacts } from "../artifacts/run-artifacts.js";
import { describeValue, RunlogError } from "../errors.js";
import type { LogHandler, LogOptions } from "../history/log-handler.js";
import type { DefineMetricOptions, Metric } from "../metrics/metric.js";
import type { MetricRegistry } from "../metrics/metric-registry.js";
import type { PersistenceStatus, RunPipeline } from "../pipeline/pipeline.js";
import { SEAL_POINTS } from "../pipeline/pipeline.js";
import type { RunState } from "../pipeline/records.js";
import { validateOptionalText, validateTags } from "../util/names.js";
import { findWatcher, type ModelWatcher, resolveWatchOptions, type WatchHandle, type WatchOptions } from "../watch/registry.js";
import { type AlertOptions, AlertThrottle, deliverAlert, validateAlert, webhookUrls } from "./alerts.js";
import type { Config, ConfigState } from "./config.js";
import type { RestoreOptions, RunFiles, SaveOptions } from "./run-files.js";
import type { Settings } from "./settings.js";
import { type SpanRecord, validateSpan } from "./span-record.js";
import type { Summary } from "./summary.js";

export interface RunStatus {
  readonly syncItemsTotal: number;
  readonly syncItemsPending: number;
  /** When the store last confirmed a write (undefined before the first, and offline). */
  readonly syncTime: Date | undefined;
  readonly state: RunState;
  /** "degraded" while the transaction log refuses writes (a full disk): data waits in memory, retried. */
  readonly persistence: PersistenceStatus;
}

export interface FinishOptions {
  exitCode?: number;
  quiet?: boolean;
}

/** Everything a Run is built from; assembled by `init`. */
export interface RunParts {
  readonly id: string;
  readonly entity: string;
  readonly project: string;
  name: string;
  notes: string | undefined;
  tags: readonly string[];
  readonly group: string | undefined;
  readonly jobType: string | undefined;
  readonly sweepId: string | undefined;
  readonly startTime: number;
  readonly settings: Settings;
  readonly mode: "local" | "online" | "offline" | "disabled";
  readonly resumed: boolean;
  readonly dir: string;
  readonly uiBaseUrl: string | undefined;
  readonly config: Config;
  readonly configState: ConfigState;
  readonly summary: Summary;
  readonly metrics: MetricRegistry;
  /** Undefined for disabled runs, which log nothing. */
  readonly handler: LogHandler | undefined;
  readonly pipeline: RunPipeline | undefined;
  /** Pushes a run record reflecting current name/notes/tags. */
  readonly publishRunRecord: () => void;
  readonly artifacts: RunArtifacts;
  readonly files: RunFiles;
  /** Stops monitors and hooks, drains and closes; returns true if the store got everything. */
  readonly shutdown: (exitCode: number, state: RunState, quiet: boolean) => Promise<void>;
  readonly warn: (message: string) => void;
}

/**
 * A run: the W&B `Run`, TypeScript style. `log` is synchronous and costs microseconds;
 * everything that touches disk or the store happens later, off the caller's path.
 */
export class Run {
  readonly #parts: RunParts;
  #finishing: Promise<void> | undefined;
  #finished = false;
  #preempting = false;
  #finalState: RunState = "finished";
  readonly #watches = new Map<unknown, { watcher: ModelWatcher; handle: WatchHandle }>();
  readonly #alerts = new AlertThrottle();
  readonly #finishHooks = new Set<() => Promise<void> | void>();
  #closed = false;

  /** @internal Use `init()`. */
  readonly #startingStep: number;

  constructor(parts: RunParts) {
    this.#parts = parts;
    this.#startingStep = parts.handler?.step ?? 0;
  }

  get id(): string {
    return this.#parts.id;
  }
  get entity(): string {
    return this.#parts.entity;
  }
  get project(): string {
    return this.#parts.project;
  }
  get group(): string | undefined {
    return this.#parts.group;
  }
  get jobType(): string | undefined {
    return this.#parts.jobType;
  }
  get sweepId(): string | undefined {
    return this.#parts.sweepId;
  }
  get sweepUrl(): string | undefined {
    const base = this.projectUrl;
    return base && this.sweepId ? `${base}/sweeps/${encodeURIComponent(this.sweepId)}` : undefined;
  }
  /** Unix seconds. */
  get startTime(): number {
    return this.#parts.startTime;
  }
  get settings(): Settings {
    return this.#parts.settings;
  }
  get resumed(): boolean {
    return this.#parts.resumed;
  }
  get disabled(): boolean {
    return this.#parts.mode === "disabled";
  }
  get offline(): boolean {
    return this.#parts.mode === "offline";
  }
  /** The run's files folder. */
  get dir(): string {
    return this.#parts.dir;
  }
  get path(): string {
    return `${this.entity}/${this.project}/${this.id}`;
  }
  get projectUrl(): string | undefined {
    const base = this.#parts.uiBaseUrl;
    return base === undefined ? undefined : `${base}/${encodeURIComponent(this.entity)}/${encodeURIComponent(this.project)}`;
  }
  get url(): string | undefined {
    const project = this.projectUrl;
    return project === undefined ? undefined : `${project}/runs/${encodeURIComponent(this.id)}`;
  }
  get config(): Config {
    return this.#parts.config;
  }
  /** A frozen snapshot of the config as it is now. */
  get configStatic(): Readonly<Record<string, unknown>> {
    return deepFreeze(this.#parts.configState.snapshot());
  }
  get summary(): Summary {
    return this.#parts.summary;
  }
  /** The step this run started at: 0 for a new run, the step after the last stored row for a resumed one (W&B's `starting_step`). */
  get startingStep(): number {
    return this.#startingStep;
  }
  /** The step the next committed row gets. */
  get step(): number {
    return this.#parts.handler?.step ?? 0;
  }

  get name(): string {
    return this.#parts.name;
  }
  set name(value: string) {
    this.#assertOpen("name");
    const name = validateOptionalText("name", value, 128);
    if (name === undefined || name.length === 0) throw new RunlogError("INVALID_ARGUMENT", "A run name must be a non-empty string.");
    this.#parts.name = name;
    this.#parts.publishRunRecord();
  }
  get notes(): string | undefined {
    return this.#parts.notes;
  }
  set notes(value: string | undefined) {
    this.#assertOpen("notes");
    this.#parts.notes = validateOptionalText("notes", value, 1_000_000);
    this.#parts.publishRunRecord();
  }
  get tags(): readonly string[] {
    return this.#parts.tags;
  }
  set tags(value: readonly string[]) {
    this.#assertOpen("tags");
    this.#parts.tags = validateTags(value);
    this.#parts.publishRunRecord();
  }

  /** Logs a row of metrics. See the step/commit rules in the spec; never blocks on I/O. */
  log(data: Record<string, unknown> | Map<string, unknown>, options?: LogOptions): void {
    if (this.#finished || this.#closed || (this.#finishing && this.#finalState === "killed")) {
      // A signal is ending the process: the training loop may still run for a moment; let it.
      if (this.#finalState === "killed") return;
      this.#throwFinished("log");
    }
    const parts = this.#parts;
    if (parts.pipeline === undefined || parts.handler === undefined) return;
    try {
      parts.handler.log(data, options);
    } finally {
      if (parts.pipeline.history.points >= SEAL_POINTS) parts.pipeline.seal();
    }
  }

  /**
   * For adapters (the bridge), not W&B's API: `log` of one row of flat scalars given as parallel arrays (`count` of them), without
   * building an object: the bridge's hot path. False when nothing was logged and the caller must
   * use `log` instead (an unusual key, a pending row, step metrics, a finished run).
   */
  logScalars(keys: readonly string[], values: Float64Array, count: number): boolean {
    const parts = this.#parts;
    if (this.#finished || this.#closed || this.#finishing || parts.pipeline === undefined || parts.handler === undefined) return false;
    const logged = parts.handler.logScalars(keys, values, count);
    if (parts.pipeline.history.points >= SEAL_POINTS) parts.pipeline.seal();
    return logged;
  }

  defineMetric(name: string, options: DefineMetricOptions = {}): Metric {
    this.#assertOpen("defineMetric");
    const metric = this.#parts.metrics.define(name, options);
    this.#parts.handler?.invalidateKeyCache();
    this.#parts.pipeline?.push("metrics", { metrics: this.#parts.metrics.all() });
    return metric;
  }

  /** Stores an alert (throttled per title) and posts it to RUNLOG_ALERT_WEBHOOK URLs. */
  async alert(options: AlertOptions): Promise<void> {
    this.#assertOpen("alert");
    const alert = validateAlert(options);
    if (this.disabled) return;
    const urls = webhookUrls();
    if (!this.#alerts.allow(alert)) return;
    this.#parts.pipeline?.push("alert", alert);
    if (urls.length > 0) {
      await deliverAlert(
        urls,
        { ...alert, runId: this.id, runPath: this.path, runName: this.name, url: this.url, timestamp: Date.now() / 1000 },
        this.#parts.warn,
      );
    }
  }

  /** Marks the run preempting: readers wait longer before calling it crashed. */
  markPreempting(): void {
    this.#assertOpen("markPreempting");
    if (this.#preempting) return;
    this.#preempting = true;
    this.#parts.pipeline?.push("preempting", {});
  }

  async status(): Promise<RunStatus> {
    const sender = this.#parts.pipeline?.sender;
    const lastAck = sender?.lastAckAt;
    return {
      syncItemsTotal: sender?.totalItems ?? 0,
      syncItemsPending: sender?.pendingItems ?? 0,
      syncTime: lastAck === undefined ? undefined : new Date(lastAck),
      state: this.#finished ? this.#finalState : this.#preempting ? "preempting" : "running",
      persistence: this.#parts.pipeline?.persistence ?? OK_PERSISTENCE,
    };
  }

  /** Shows the run page inline in a notebook kernel (Deno or tslab); elsewhere returns false. */
  display(options: { height?: number; hidden?: boolean } = {}): boolean {
    const html = this.toHtml(options);
    if (html === "") return false;
    const deno = (globalThis as { Deno?: { jupyter?: { display?: (bundle: unknown, options?: unknown) => unknown } } }).Deno;
    if (typeof deno?.jupyter?.display === "function") {
      deno.jupyter.display({ "text/html": html }, { raw: true });
      return true;
    }
    const tslab = (globalThis as { tslab?: { display?: { html?: (html: string) => void } } }).tslab;
    if (typeof tslab?.display?.html === "function") {
      tslab.display.html(html);
      return true;
    }
    return false;
  }

  /** The HTML `display()` shows: an iframe of the run page (W&B's `to_html`); "" when hidden or the run has no page. */
  toHtml(options: { height?: number; hidden?: boolean } = {}): string {
    if (options.hidden || this.url === undefined) return "";
    return `<iframe src="${this.url}" style="border:none;width:100%;height:${Math.max(100, Number(options.height) || 420)}px"></iframe>`;
  }

  /** Logs an Artifact, or a file or folder path, as an output of this run. Unchanged content makes no new version. */
  logArtifact(artifactOrPath: Artifact | string, options: LogArtifactOptions = {}): Promise<Artifact> {
    this.#assertOpen("logArtifact");
    return this.#parts.artifacts.logArtifact(artifactOrPath, options);
  }

  /** Adds files to a version that several processes build together (`distributedId` defaults to the run's group). */
  upsertArtifact(artifactOrPath: Artifact | string, options: LogArtifactOptions & { distributedId?: string } = {}): Promise<Artifact> {
    this.#assertOpen("upsertArtifact");
    return this.#parts.artifacts.upsertArtifact(artifactOrPath, options);
  }

  /** Commits the version built by upsertArtifact calls with the same `distributedId`. */
  finishArtifact(artifactOrPath: Artifact | string, options: LogArtifactOptions & { distributedId?: string } = {}): Promise<Artifact> {
    this.#assertOpen("finishArtifact");
    return this.#parts.artifacts.finishArtifact(artifactOrPath, options);
  }

  /** Declares an artifact (`[entity/][project/]name[:alias|:vN]`) an input of this run; `download()` fetches its files. */
  useArtifact(nameOrArtifact: Artifact | string, options: { type?: string; aliases?: readonly string[] } = {}): Promise<Artifact> {
    this.#assertOpen("useArtifact");
    return this.#parts.artifacts.useArtifact(nameOrArtifact, options);
  }

  /** Logs a model file or folder as an artifact of type "model". */
  logModel(path: string, options: { name?: string; aliases?: readonly string[] } = {}): Promise<Artifact> {
    this.#assertOpen("logModel");
    return this.#parts.artifacts.logModel(path, options);
  }

  /** Downloads a model artifact; resolves to its file when it holds one, else to its folder. */
  useModel(name: string): Promise<string> {
    this.#assertOpen("useModel");
    return this.#parts.artifacts.useModel(name);
  }

  /** Logs a model and links it into the model registry collection `registeredModelName`. */
  linkModel(
    path: string,
    registeredModelName: string,
    options: { name?: string; aliases?: readonly string[] } = {},
  ): Promise<Artifact | undefined> {
    this.#assertOpen("linkModel");
    return this.#parts.artifacts.linkModel(path, registeredModelName, options);
  }

  /** Links a logged artifact into a registry collection (no copy), with its own vN and `latest`. */
  linkArtifact(artifact: Artifact, targetPath: string, options: { aliases?: readonly string[] } = {}): Promise<Artifact | undefined> {
    this.#assertOpen("linkArtifact");
    return this.#parts.artifacts.linkArtifact(artifact, targetPath, options);
  }

  /** Copies files matching `glob` into the run's files folder; "live" (default) re-copies on change, "end" at finish. */
  save(glob: string, options: SaveOptions = {}): Promise<string[]> {
    this.#assertOpen("save");
    if (this.disabled) return Promise.resolve([]);
    return this.#parts.files.save(glob, options);
  }

  /** Restores a saved file (of this run or `runPath`) into `root`; resolves to its path, or undefined. */
  restore(name: string, options: RestoreOptions = {}): Promise<string | undefined> {
    this.#assertOpen("restore");
    if (this.disabled) return Promise.resolve(undefined);
    return this.#parts.files.restore(name, options);
  }

  /** Logs source files as a `code` artifact `source-<project>-<entry>`; undefined when nothing matched. */
  logCode(
    options: { root?: string; name?: string; include?: (path: string) => boolean; exclude?: (path: string) => boolean } = {},
  ): Promise<Artifact | undefined> {
    this.#assertOpen("logCode");
    return this.#parts.artifacts.logCode(options);
  }

  /** Hooks a model through the adapter that claims it (import @runlog/tfjs, @runlog/onnx …). */
  watch(models: unknown, options: WatchOptions = {}): void {
    this.#assertOpen("watch");
    const resolved = resolveWatchOptions(options);
    const list = Array.isArray(models) ? models : [models];
    if (list.length === 0) throw new RunlogError("INVALID_ARGUMENT", "watch needs at least one model.");
    const claimed = list.map((model) => {
      if (this.#watches.has(model))
        throw new RunlogError("ALREADY_WATCHED", "This model is already watched by this run; call run.unwatch(model) first.");
      return { model, watcher: findWatcher(model) };
    });
    if (this.disabled) return;
    claimed.forEach(({ model, watcher }, i) => {
      // W&B: model i of a list gets idx + i, so two models never share a prefix.
      const idx = resolved.idx !== undefined ? resolved.idx + i : list.length > 1 ? i : undefined;
      const handle = watcher.watch(model, this, { ...resolved, ...(idx === undefined ? {} : { idx }) });
      this.#watches.set(model, { watcher, handle });
    });
  }

  unwatch(models?: unknown): void {
    const list = models === undefined ? [...this.#watches.keys()] : Array.isArray(models) ? models : [models];
    for (const model of list) {
      this.#watches.get(model)?.handle.remove();
      this.#watches.delete(model);
    }
  }

  /**
   * Drains everything to the store and marks the run finished (exit code 0) or failed.
   * Idempotent. Past `settings.finishTimeout` it stops waiting and leaves the run to
   * `runlog sync`, so it never hangs.
   */
  finish(options: FinishOptions = {}): Promise<void> {
    if (this.#finishing) return this.#finishing;
    const exitCode = options.exitCode ?? 0;
    if (!Number.isInteger(exitCode)) {
      return Promise.reject(new RunlogError("INVALID_ARGUMENT", `exitCode must be an integer, got ${String(options.exitCode)}.`));
    }
    return this.finishAs(exitCode, exitCode === 0 ? "finished" : "failed", options.quiet ?? this.settings.quiet);
  }

  /** For adapters (the bridge), not W&B's API: finish with an explicit state (signals use "killed"). */
  finishAs(exitCode: number, state: RunState, quiet: boolean): Promise<void> {
    if (this.#finishing) return this.#finishing;
    this.#finalState = state;
    if (this.#finishHooks.size === 0) this.#closed = true; // nothing to flush: closed at once, as before hooks existed
    this.#finishing = (async () => {
      await this.#runFinishHooks(); // the run is still open here: hooks may log what they buffered
      this.#closed = true;
      this.unwatch();
      await this.#parts.shutdown(exitCode, state, quiet);
    })().finally(() => {
      this.#finished = true;
      this.#parts.configState.lock();
    });
    return this.#finishing;
  }

  /**
   * Registers work that `finish()` awaits before it closes the run — an adapter flushing callbacks
   * it has not yet seen (LangChain runs them in the background). Bounded by `settings.finishTimeout`.
   * Returns a function that removes the hook.
   */
  addFinishHook(hook: () => Promise<void> | void): () => void {
    if (typeof hook !== "function")
      throw new RunlogError("INVALID_ARGUMENT", `addFinishHook needs a function, got ${describeValue(hook)}.`);
    this.#finishHooks.add(hook);
    return () => this.#finishHooks.delete(hook);
  }

  async #runFinishHooks(): Promise<void> {
    if (this.#finishHooks.size === 0) return;
    const hooks = [...this.#finishHooks].map(async (hook) => {
      try {
        await hook();
      } catch (error) {
        this.#parts.warn(`a finish hook failed: ${(error as Error)?.message ?? String(error)}`);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#parts.warn(`finish hooks still running after ${this.settings.finishTimeout} s; finishing without them.`);
        resolve();
      }, this.settings.finishTimeout * 1000);
      timer.unref();
    });
    await Promise.race([Promise.all(hooks), timeout]);
    clearTimeout(timer);
  }

  /**
   * Records one trace span event. Tracer adapters call it when a span starts and when it ends, so a
   * crash leaves the unfinished spans (read back as "incomplete"). Queued like a log row: microseconds.
   */
  recordSpan(span: SpanRecord): void {
    this.#assertOpen("recordSpan");
    validateSpan(span);
    this.#parts.pipeline?.push("span", span);
  }

  /** @internal true once finish has started. */
  get finishing(): boolean {
    return this.#finishing !== undefined;
  }

  /**
   * For adapters (the bridge), not W&B's API: seals what was logged so far into the transaction log now, with `metadata` in the
   * same segment (the bridge records its acknowledged sequence number there, so data and sequence
   * are durable together and a restarted bridge knows exactly what it already has).
   */
  sealNow(metadata?: Record<string, unknown>): void {
    const pipeline = this.#parts.pipeline;
    if (pipeline === undefined || this.#closed) return;
    if (metadata !== undefined) pipeline.push("meta", { metadata });
    pipeline.seal();
  }

  /** @internal true once the run takes no more data (finish hooks done, or finished). */
  get closed(): boolean {
    return this.#closed || this.#finished;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.finish({ exitCode: 0 });
  }

  #assertOpen(what: string): void {
    if (this.#finished || this.#closed) this.#throwFinished(what);
  }

  #throwFinished(what: string): never {
    throw new RunlogError("RUN_FINISHED", `Run (${this.id}) is finished. The call to ${what} was ignored; start a new run with init().`);
  }
}

const OK_PERSISTENCE: PersistenceStatus = Object.freeze({
  state: "ok",
  backlogBytes: 0,
  lost: Object.freeze({ records: 0, points: 0, seqs: [], steps: [], systemRuntime: [] }),
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
