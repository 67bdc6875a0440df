import { join } from "node:path";
import type { Artifact } from "../artifacts/artifact.js";
import { resolveInside, safeRelativePath } from "../artifacts/safe-path.js";
import { describeValue, RunlogError } from "../errors.js";
import type { RunState } from "../pipeline/records.js";
import { runFolder } from "../run/run-folder.js";
import { bucketChunks, bucketPoints, type SeriesResult } from "../store/series.js";
import type { AlertView, FileView, Points, RunView, StoreReader, Stream, WriterView } from "../store/store.js";
import { type HistoryRow, ROW_INDEX_KEY, scanRows } from "./history-scan.js";
import { filesOnDisk, mergeFileViews } from "./run-folder-files.js";
import { aggregateSteps, labelRows, mergeScans, type WriterAggregate } from "./shared-history.js";
import { buildTraces, type Span } from "./traces.js";

export type { HistoryRow } from "./history-scan.js";

function streamOf(key: string): "history" | "system" {
  return key.startsWith("system/") ? "system" : "history";
}

/** A run read back from a store: W&B's `wandb.apis.public.Run`, the parts that fit locally. */
export class ApiRun {
  constructor(
    private readonly store: StoreReader,
    private readonly view: RunView,
    /** A run's logged (output) or used (input) versions, from wherever the Api reads artifacts. */
    private readonly artifactsOf: (runPath: string, direction: "input" | "output") => Promise<Artifact[]>,
    /** The embedded store's root (run folders live under it); undefined for a remote store. */
    private readonly localRoot: string | undefined,
    /** Shared mode: this view reads one writer's history (see `writer(label)`). */
    readonly label?: string,
  ) {}

  /** This view's stream of `base` (a shared-mode writer's own `history@<label>`). */
  private stream(base: "history" | "system"): Stream {
    return this.label === undefined ? base : `${base}@${this.label}`;
  }

  private streamOf(key: string): Stream {
    return this.stream(streamOf(key));
  }

  private storedRows(from: number, to: number): Promise<[number, Record<string, unknown>][]> {
    if (this.label === undefined) return this.store.historyRows(this.view, from, to);
    return this.store.writerRows?.(this.view, this.label, from, to) ?? Promise.resolve([]);
  }

  /** Shared mode, the run's view (no label): one view per writer; undefined for an ordinary run. */
  private async writerViews(): Promise<ApiRun[] | undefined> {
    if (this.label !== undefined) return undefined;
    const writers = await this.writers();
    if (writers.length === 0) return undefined;
    return writers.map((w) => new ApiRun(this.store, this.view, this.artifactsOf, this.localRoot, w.label));
  }

  /**
   * Shared mode: mean, min and max of `key` per `_step` over the writers that logged it there
   * (each writer's `_step` is its own). For an ordinary run, the run's own values (count 1).
   */
  async writerAggregate(key: string): Promise<WriterAggregate> {
    const views = (await this.writerViews()) ?? [this];
    return aggregateSteps(await Promise.all(views.map((view) => view.points(key, 0, Number.MAX_SAFE_INTEGER))));
  }

  /** Shared mode: the run's writers ([] for an ordinary run, or a store that does not know them). */
  async writers(): Promise<WriterView[]> {
    return (await this.store.writers?.(this.view)) ?? [];
  }

  /**
   * Shared mode: one writer's view of the run: its own history (`_step` is that writer's), series
   * and keys. Throws RUN_NOT_FOUND for a label that never wrote the run.
   */
  async writer(label: string): Promise<ApiRun> {
    const known = await this.writers();
    if (!known.some((w) => w.label === label)) {
      throw new RunlogError(
        "RUN_NOT_FOUND",
        `Run ${this.path} has no writer labelled ${describeValue(label)} (writers: ${known.map((w) => w.label).join(", ") || "none"}).`,
      );
    }
    return new ApiRun(this.store, this.view, this.artifactsOf, this.localRoot, label);
  }

  get id(): string {
    return this.view.id;
  }
  get entity(): string {
    return this.view.entity;
  }
  get project(): string {
    return this.view.project;
  }
  get path(): string {
    return `${this.view.entity}/${this.view.project}/${this.view.id}`;
  }
  get name(): string {
    return this.view.name;
  }
  get notes(): string | undefined {
    return this.view.notes;
  }
  get state(): RunState {
    return this.view.state;
  }
  get exitCode(): number | undefined {
    return this.view.exitCode;
  }
  get config(): Record<string, unknown> {
    return this.view.config;
  }
  get summary(): Record<string, unknown> {
    return this.view.summary;
  }
  get metadata(): Record<string, unknown> {
    return this.view.metadata;
  }
  get metrics() {
    return this.view.metrics;
  }
  get tags(): readonly string[] {
    return this.view.tags;
  }
  get group(): string | undefined {
    return this.view.group;
  }
  get jobType(): string | undefined {
    return this.view.jobType;
  }
  get sweepId(): string | undefined {
    return this.view.sweepId;
  }
  /** Unix seconds. */
  get createdAt(): number {
    return this.view.createdAt;
  }
  get heartbeatAt(): number {
    return this.view.heartbeatAt;
  }
  get finishedAt(): number | undefined {
    return this.view.finishedAt;
  }
  get runtime(): number {
    return this.view.runtime;
  }
  get crashTimeout(): number {
    return this.view.crashTimeout;
  }
  get lastStep(): number {
    return this.view.lastStep;
  }
  get forkedFrom(): string | undefined {
    return this.view.forkedFrom;
  }

  /** Every history key logged (system metrics excluded); in shared mode, any writer's. */
  historyKeys(): Promise<string[]> {
    return this.keysOf("history");
  }

  systemKeys(): Promise<string[]> {
    return this.keysOf("system");
  }

  private async keysOf(base: "history" | "system"): Promise<string[]> {
    const writers = await this.writerViews();
    if (writers === undefined) return this.store.seriesKeys(this.view, this.stream(base));
    const keys = await Promise.all(writers.map((w) => this.store.seriesKeys(this.view, w.stream(base))));
    return [...new Set(keys.flat())].sort();
  }

  /**
   * Rows like W&B's `run.history()`: at most `samples` rows spread evenly over the run
   * (first and last included), each with `_step`, `_runtime`, `_timestamp` and the keys present at that step.
   */
  async history(options: { keys?: readonly string[]; samples?: number } = {}): Promise<HistoryRow[]> {
    const samples = options.samples ?? 500;
    if (!Number.isSafeInteger(samples) || samples < 1) {
      throw new RunlogError("INVALID_ARGUMENT", `history: samples must be a positive integer, got ${describeValue(samples)}.`);
    }
    const writers = await this.writerViews();
    if (writers !== undefined) {
      // Shared mode: up to `samples` rows of each writer, tagged with its label.
      return labelRows(await Promise.all(writers.map(async (w) => [w.label as string, await w.history(options)] as const)));
    }
    const index = await this.points(ROW_INDEX_KEY, 0, Number.MAX_SAFE_INTEGER);
    const total = index.steps.length;
    let steps: number[];
    if (total <= samples) steps = Array.from(index.steps);
    else {
      steps = [];
      for (let i = 0; i < samples; i++) steps.push(index.steps[Math.round((i * (total - 1)) / (samples - 1))] as number);
    }
    return this.rowsAt(steps, options.keys);
  }

  /** Every row in step order, assembled `pageSize` rows at a time (each stored chunk read once per scan). */
  async *scanHistory(
    options: { keys?: readonly string[]; pageSize?: number; minStep?: number; maxStep?: number } = {},
  ): AsyncGenerator<HistoryRow> {
    const pageSize = options.pageSize ?? 1000;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
      throw new RunlogError("INVALID_ARGUMENT", `scanHistory: pageSize must be a positive integer, got ${describeValue(pageSize)}.`);
    }
    const writers = await this.writerViews();
    if (writers !== undefined) {
      yield* mergeScans(writers.map((w) => [w.label as string, w.scanHistory(options)] as const));
      return;
    }
    yield* scanRows(this.store, this.view, {
      keys: options.keys,
      pageSize,
      from: options.minStep ?? 0,
      until: options.maxStep ?? Number.MAX_SAFE_INTEGER,
      stream: this.stream("history"),
      storedRows: (from, to) => this.storedRows(from, to),
    });
  }

  /**
   * Bucketed min/max/last/count per bucket (M4-style), for charts: `buckets` is the chart's
   * pixel width; `range` the visible x-range. Keys under `system/` use `_runtime` seconds as x.
   */
  async series(key: string, options: { buckets?: number; xAxis?: string; range?: readonly [number, number] } = {}): Promise<SeriesResult> {
    const buckets = options.buckets ?? 1000;
    if (!Number.isSafeInteger(buckets) || buckets < 1 || buckets > 100_000) {
      throw new RunlogError("INVALID_ARGUMENT", `series: buckets must be an integer from 1 to 100000, got ${describeValue(buckets)}.`);
    }
    const range = options.range;
    if (range !== undefined && (!Array.isArray(range) || range.length !== 2 || !(range[0] <= range[1]))) {
      throw new RunlogError("INVALID_ARGUMENT", `series: range must be [from, to] with from ≤ to, got ${describeValue(range)}.`);
    }
    const stream = this.streamOf(key);
    const xAxis = options.xAxis ?? "_step";
    if (xAxis === "_step" || (streamOf(key) === "system" && xAxis === "_runtime")) {
      const from = range?.[0] ?? Number.NEGATIVE_INFINITY;
      const to = range?.[1] ?? Number.POSITIVE_INFINITY;
      const chunks = await this.store.chunkInfos(this.view, stream, key, from, to);
      if (chunks.length === 0) return { x: [], min: [], max: [], last: [], count: [] };
      const lo = range?.[0] ?? (chunks.firstStep[0] as number);
      const hi = range?.[1] ?? (chunks.lastStep[chunks.length - 1] as number);
      return bucketChunks(chunks, (positions) => this.store.chunkPoints(this.view, stream, key, chunks, positions), buckets, lo, hi);
    }
    // Custom x-axis: join the two series on _step, then bucket by x.
    const [ys, xs] = await Promise.all([this.points(key, 0, Number.MAX_SAFE_INTEGER), this.points(xAxis, 0, Number.MAX_SAFE_INTEGER)]);
    const joinedX: number[] = [];
    const joinedY: number[] = [];
    let j = 0;
    for (let i = 0; i < ys.steps.length; i++) {
      const step = ys.steps[i] as number;
      while (j < xs.steps.length && (xs.steps[j] as number) < step) j++;
      if (j < xs.steps.length && xs.steps[j] === step) {
        joinedX.push(xs.values[j] as number);
        joinedY.push(ys.values[i] as number);
      }
    }
    let lo = range?.[0] ?? Number.POSITIVE_INFINITY;
    let hi = range?.[1] ?? Number.NEGATIVE_INFINITY;
    if (range === undefined) for (const x of joinedX) if (!Number.isNaN(x)) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    if (joinedX.length === 0 || lo > hi) return { x: [], min: [], max: [], last: [], count: [] };
    return bucketPoints(joinedX, joinedY, buckets, lo, hi);
  }

  /** Artifact versions this run logged (outputs). */
  async loggedArtifacts(): Promise<Artifact[]> {
    return this.runArtifacts("output");
  }

  /** Artifact versions this run used (inputs). */
  async usedArtifacts(): Promise<Artifact[]> {
    return this.runArtifacts("input");
  }

  private runArtifacts(direction: "input" | "output"): Promise<Artifact[]> {
    return this.artifactsOf(this.path, direction);
  }

  alerts(): Promise<AlertView[]> {
    return this.store.alerts(this.view);
  }

  /**
   * Every file of the run: what the store recorded (run.save, the console log) and, on the
   * embedded store, whatever else is in the run's files folder (media, files written into
   * `run.dir`, code), each once.
   */
  async files(): Promise<FileView[]> {
    const recorded = await this.store.files(this.view);
    if (this.localRoot === undefined) return recorded;
    return mergeFileViews(recorded, filesOnDisk(join(runFolder(this.localRoot, this.view), "files")));
  }

  /** Trace trees recorded by tracer adapters (LangChain): roots in start order, each with its children. */
  async traces(): Promise<Span[]> {
    return buildTraces(await this.store.spans(this.view));
  }

  /**
   * The absolute path of one of the run's files: a `files()` entry or a media value's `path`
   * from history (e.g. one step's image, fetched with `scanHistory({ keys, minStep, maxStep })`).
   * Refuses paths that would leave the run's folder.
   */
  filePath(name: string): string {
    if (this.localRoot === undefined) {
      throw new RunlogError("MODE_UNAVAILABLE", "filePath needs the embedded store; over HTTP fetch GET /api/v1/runs/<path>/file/<name>.");
    }
    return resolveInside(join(runFolder(this.localRoot, this.view), "files"), safeRelativePath(name, "run file"), "run file");
  }

  toJSON(): RunView {
    return { ...this.view };
  }

  /** All points of a scalar key with from ≤ step ≤ to. */
  private async points(key: string, from: number, to: number): Promise<Points> {
    const stream = this.streamOf(key);
    const chunks = await this.store.chunkInfos(this.view, stream, key, from, to);
    const parts = await this.store.chunkPoints(
      this.view,
      stream,
      key,
      chunks,
      Array.from({ length: chunks.length }, (_, i) => i),
    );
    let n = 0;
    for (const part of parts) n += part.steps.length;
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    let at = 0;
    for (const part of parts) {
      for (let i = 0; i < part.steps.length; i++) {
        const step = part.steps[i] as number;
        if (step < from || step > to) continue;
        steps[at] = step;
        values[at] = part.values[i] as number;
        at++;
      }
    }
    return { steps: steps.subarray(0, at), values: values.subarray(0, at) };
  }

  /** Assembles rows for sorted `steps`, reading only the chunks that hold them. */
  private async rowsAt(steps: readonly number[], keys: readonly string[] | undefined): Promise<HistoryRow[]> {
    if (steps.length === 0) return [];
    const from = steps[0] as number;
    const to = steps[steps.length - 1] as number;
    const rows = new Map<number, HistoryRow>(steps.map((step) => [step, { _step: step }]));
    const wanted = keys === undefined ? undefined : new Set([...keys, "_runtime", "_timestamp"]);
    const stream = this.stream("history");
    const scalarKeys = (await this.store.seriesKeys(this.view, stream)).filter((k) => wanted === undefined || wanted.has(k));
    for (const key of scalarKeys) {
      const chunks = await this.store.chunkInfos(this.view, stream, key, from, to);
      const needed: number[] = [];
      for (let c = 0; c < chunks.length; c++) {
        if (containsAny(steps, chunks.firstStep[c] as number, chunks.lastStep[c] as number)) needed.push(c);
      }
      const parts = await this.store.chunkPoints(this.view, stream, key, chunks, needed);
      for (const part of parts) {
        for (let i = 0; i < part.steps.length; i++) {
          const row = rows.get(part.steps[i] as number);
          if (row !== undefined) row[key] = part.values[i];
        }
      }
    }
    for (const [step, data] of await this.storedRows(from, to)) {
      const row = rows.get(step);
      if (row === undefined) continue;
      for (const [key, value] of Object.entries(data)) if (wanted === undefined || wanted.has(key)) row[key] = value;
    }
    const out = [...rows.values()];
    if (keys === undefined) return out;
    // W&B returns only rows holding at least one requested key.
    return out.filter((row) => keys.some((key) => key in row));
  }
}

function containsAny(sorted: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && (sorted[lo] as number) <= to;
}
