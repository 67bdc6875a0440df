import { join } from "node:path";
import type { Metric, SummaryType } from "@runlog/core";
import type { Unmapped } from "../pipeline/import-report.js";
import type { RunImportWriter } from "../pipeline/run-import-writer.js";
import { historyRow, itemPath, parseValueJson, setPath, type WandbItem } from "./values.js";

/** The decoded `Record` fields this mapper reads (protobuf.js object form, snake_case as in the .proto). */
// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf objects are checked field by field below
type Decoded = Record<string, any>;

interface Timestamp {
  seconds?: number;
  nanos?: number;
}
const seconds = (t: Timestamp | undefined) => (t === undefined ? undefined : (t.seconds ?? 0) + (t.nanos ?? 0) / 1e9);

/** Record kinds that only frame the log or talk to W&B's service: nothing to import, nothing lost. */
const FRAMING = new Set(["header", "footer", "final", "noop", "request", "noop_link_artifact"]);
const SUMMARY_TYPES: readonly SummaryType[] = ["min", "max", "mean", "first", "last", "best", "none"];

export interface AttemptSource {
  /** The `.wandb` file. */
  readonly file: string;
  /** Its run folder's `files/` (media, tables, saved files), when there is one. */
  readonly filesDir: string | undefined;
}

/**
 * Maps one W&B run attempt (one `.wandb` file) onto a Runlog run: record by record, in order, so
 * the same file always yields the same Runlog records (the idempotency of imports rests on it).
 */
/** What a resumed attempt continues from: W&B merges a resumed run's config, summary and metrics into the earlier ones. */
export interface CarriedRunState {
  config: Record<string, unknown>;
  readonly summary: Record<string, unknown>;
  readonly metrics: Map<string, Metric>;
  /** The highest `_step` imported so far (-1 before any). */
  lastStep: number;
}

export function newRunState(): CarriedRunState {
  return { config: {}, summary: {}, metrics: new Map(), lastStep: -1 };
}

export class WandbRunMapper {
  private readonly summaryChanged = new Set<string>();
  private readonly summaryRemoved = new Set<string>();
  private startTime = 0;
  private sawRun = false;
  private readonly copied = new Set<string>();
  private readonly artifacts: Record<string, unknown>[] = [];
  private console = "";
  /**
   * Added to this attempt's steps. W&B resumes offline runs from step 0 (only its server knows the
   * last step); Runlog continues a resumed run after its last step, as W&B does online.
   */
  private stepOffset: number | undefined;

  constructor(
    private readonly writer: RunImportWriter,
    private readonly address: { entity: string; project: string; id: string },
    private readonly attempt: number,
    private readonly source: AttemptSource,
    private readonly unmapped: Unmapped,
    private readonly state: CarriedRunState,
  ) {}

  private get summary(): Record<string, unknown> {
    return this.state.summary;
  }
  private get metrics(): Map<string, Metric> {
    return this.state.metrics;
  }

  map(record: Decoded): void {
    const kind = record.record_type as string | undefined;
    if (kind === undefined || FRAMING.has(kind)) return;
    const body = record[kind] as Decoded;
    switch (kind) {
      case "run":
        this.run(body);
        return;
      case "config":
        this.configUpdate(body.update ?? [], body.remove ?? []);
        return;
      case "history":
        this.history(body);
        return;
      case "summary":
        this.summaryUpdate(body.update ?? [], body.remove ?? []);
        return;
      case "metric":
        this.metric(body);
        return;
      case "stats":
        this.stats(body);
        return;
      case "output":
      case "output_raw":
        this.console += body.line ?? "";
        return;
      case "files":
        this.files(body.files ?? []);
        return;
      case "alert":
        this.writer.push("alert", {
          title: String(body.title ?? ""),
          text: String(body.text ?? ""),
          level: body.level === "ERROR" || body.level === "WARN" ? body.level : "INFO",
          waitDuration: Number(body.wait_duration ?? 0),
        });
        return;
      case "environment":
        this.environment(body);
        return;
      case "artifact":
        this.artifacts.push({
          name: body.name,
          type: body.type,
          digest: body.digest,
          aliases: body.aliases ?? [],
          files: (body.manifest?.contents ?? []).map((c: Decoded) => c.path),
        });
        this.unmapped.add("wandb: artifact contents (listed in metadata.wandb.artifacts)");
        return;
      case "preempting":
        this.writer.push("preempting", {});
        return;
      case "exit":
        this.exit(body);
        return;
      default:
        this.unmapped.add(`wandb: ${kind} records`);
    }
  }

  /** Writes what accumulates over the attempt (summary, console, artifacts list); call before its exit and at its end. */
  flush(): void {
    if (this.summaryChanged.size > 0 || this.summaryRemoved.size > 0) {
      const set: Record<string, unknown> = {};
      for (const key of this.summaryChanged) set[key] = this.summary[key];
      this.writer.push("summary", { set, delete: [...this.summaryRemoved] });
      this.summaryChanged.clear();
      this.summaryRemoved.clear();
    }
    if (this.console.length > 0) {
      const name = this.attempt === 0 ? "output.log" : `output-${this.attempt}.log`;
      this.writer.writeFile(name, this.console);
      this.console = "";
    }
    if (this.artifacts.length > 0) {
      this.writer.push("meta", { metadata: { wandb: { artifacts: this.artifacts.splice(0) } } });
    }
  }

  private run(run: Decoded): void {
    this.startTime = seconds(run.start_time) ?? 0;
    this.sawRun = true;
    this.writer.push(
      "run",
      {
        ...this.address,
        name: String(run.display_name || this.address.id),
        ...(run.notes ? { notes: String(run.notes) } : {}),
        tags: (run.tags ?? []).map(String),
        ...(run.run_group ? { group: String(run.run_group) } : {}),
        ...(run.job_type ? { jobType: String(run.job_type) } : {}),
        ...(run.sweep_id ? { sweepId: String(run.sweep_id) } : {}),
        startTime: this.startTime,
        crashTimeout: 300,
        attempt: this.attempt,
      },
      this.startTime * 1000,
    );
    const git = run.git ? { commit: run.git.commit, remote: run.git.remote_url } : undefined;
    this.writer.push("meta", {
      metadata: {
        source: "wandb",
        importedFrom: this.source.file,
        attempt: this.attempt,
        ...(run.host ? { host: run.host } : {}),
        ...(git?.commit || git?.remote ? { git: Object.fromEntries(Object.entries(git).filter(([, v]) => v)) } : {}),
      },
    });
    if (run.config) this.configUpdate(run.config.update ?? [], run.config.remove ?? []);
    if (run.summary) this.summaryUpdate(run.summary.update ?? [], run.summary.remove ?? []);
  }

  private configUpdate(update: readonly WandbItem[], remove: readonly WandbItem[]): void {
    const next = structuredClone(this.state.config);
    for (const item of update) {
      const path = itemPath(item);
      if (path[0] === "_wandb") continue; // W&B's own bookkeeping, not the user's config
      setPath(next, path, parseValueJson(item.value_json));
    }
    for (const item of remove) delete next[itemPath(item)[0] as string];
    this.state.config = next;
    this.writer.push("config", { config: next });
  }

  private summaryUpdate(update: readonly WandbItem[], remove: readonly WandbItem[]): void {
    for (const item of update) {
      const path = itemPath(item);
      const top = path[0] as string;
      if (top === "_wandb") continue;
      const value = parseValueJson(item.value_json);
      setPath(this.summary, path, top === "_step" && typeof value === "number" ? value + (this.stepOffset ?? 0) : value);
      this.summaryChanged.add(top);
      this.summaryRemoved.delete(top);
    }
    for (const item of remove) {
      const top = itemPath(item)[0] as string;
      delete this.summary[top];
      this.summaryChanged.delete(top);
      this.summaryRemoved.add(top);
    }
  }

  private history(history: Decoded): void {
    const row = historyRow(history.item ?? []);
    const sourceStep = typeof row._step === "number" ? row._step : Number(history.step?.num ?? 0);
    this.stepOffset ??= sourceStep <= this.state.lastStep ? this.state.lastStep + 1 - sourceStep : 0;
    const step = sourceStep + this.stepOffset;
    this.state.lastStep = Math.max(this.state.lastStep, step);
    delete row._step;
    const timestamp = typeof row._timestamp === "number" ? row._timestamp : this.startTime;
    this.writer.row("history", step, row, timestamp * 1000);
  }

  private stats(stats: Decoded): void {
    const at = seconds(stats.timestamp) ?? this.startTime;
    const values: Record<string, unknown> = {};
    for (const item of (stats.item ?? []) as WandbItem[]) {
      const value = parseValueJson(item.value_json);
      if (typeof value === "number") values[`system/${itemPath(item).join(".")}`] = value;
    }
    this.writer.row("system", Math.max(0, at - this.startTime), values, at * 1000);
  }

  private metric(metric: Decoded): void {
    const name = String(metric.name || metric.glob_name || "");
    if (name === "") return;
    const summary = SUMMARY_TYPES.filter((type) => metric.summary?.[type] === true);
    const goal = metric.goal === "GOAL_MINIMIZE" ? "minimize" : metric.goal === "GOAL_MAXIMIZE" ? "maximize" : undefined;
    this.metrics.set(name, {
      name: metric.glob_name ? `${metric.glob_name}` : name,
      ...(metric.step_metric ? { stepMetric: String(metric.step_metric) } : {}),
      stepSync: metric.options?.step_sync === true,
      hidden: metric.options?.hidden === true,
      summary,
      ...(goal === undefined ? {} : { goal }),
    });
    this.writer.push("metrics", { metrics: [...this.metrics.values()] });
  }

  private files(files: readonly Decoded[]): void {
    for (const file of files) {
      const path = String(file.path ?? "");
      if (path === "" || path === "output.log" || this.copied.has(path)) continue; // output.log is rebuilt from the console records
      this.copied.add(path);
      const copied = this.source.filesDir !== undefined && this.writer.copyFile(path, join(this.source.filesDir, path));
      if (!copied) this.unmapped.add("wandb: files missing beside the .wandb file");
    }
  }

  private environment(environment: Decoded): void {
    const keep = ["os", "python", "program", "args", "executable", "host", "cpu_count", "cpu_count_logical", "gpu", "gpu_count"];
    const metadata: Record<string, unknown> = {};
    for (const key of keep) if (environment[key] !== undefined) metadata[key] = environment[key];
    if (Object.keys(metadata).length > 0) this.writer.push("meta", { metadata });
  }

  private exit(exit: Decoded): void {
    this.flush();
    const exitCode = Number(exit.exit_code ?? 0);
    const runtime = Number(exit.runtime ?? 0);
    this.writer.push("exit", { exitCode, state: exitCode === 0 ? "finished" : "failed", runtime }, (this.startTime + runtime) * 1000);
  }

  /** False when the file held no run record (nothing to name the run by). */
  get hasRun(): boolean {
    return this.sawRun;
  }
}
