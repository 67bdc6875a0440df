import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { RunlogError } from "@runlog/core";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { MlflowExperiment, MlflowPoint, MlflowRunInfo, MlflowStoreReader } from "./model.js";
import { statusOf } from "./model.js";

/** Folders of an experiment that are not runs (MLflow 3's logged models, datasets, traces). */
const NOT_RUNS = new Set(["models", "datasets", "traces", "tags"]);

function corrupt(file: string, offset: number, why: string, cause?: unknown): RunlogError {
  return new RunlogError("SOURCE_CORRUPT", `${file} is damaged at byte ${offset}: ${why}. Every run and value before it was imported.`, {
    details: { file, offset },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A meta.yaml as an object; damage names the file and the byte where parsing stopped. */
function readMeta(file: string, required: readonly string[]): Record<string, unknown> {
  let meta: unknown;
  try {
    meta = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    const offset = error instanceof YAMLParseError ? (error.pos[0] ?? 0) : 0;
    throw corrupt(file, offset, `it is not valid YAML (${(error as Error).message.split("\n")[0]})`, error);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw corrupt(file, 0, "it is not a YAML mapping");
  const record = meta as Record<string, unknown>;
  const missing = required.filter((key) => record[key] === undefined || record[key] === null);
  if (missing.length > 0) throw corrupt(file, 0, `it lacks ${missing.join(", ")}`);
  return record;
}

/** Files under `dir` as [key, path] with "/" in keys (MLflow nests keys holding "/" as folders), sorted by key. */
function keyedFiles(dir: string): [string, string][] {
  if (!existsSync(dir)) return [];
  const found: [string, string][] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) found.push([relative(dir, path).split(sep).join("/"), path]);
    }
  };
  visit(dir);
  return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Python's float repr as MLflow writes it ("nan", "inf", "-inf" included). */
function pythonFloat(text: string): number {
  if (text === "nan") return Number.NaN;
  if (text === "inf") return Number.POSITIVE_INFINITY;
  if (text === "-inf") return Number.NEGATIVE_INFINITY;
  return text.trim() === "" ? Number.NaN : Number(text);
}

/**
 * One metric file: a line "timestamp value step" per logged value (older MLflow wrote no step:
 * step 0). MLflow ends every line with a newline, so a last line without one was cut short.
 */
function readMetricFile(key: string, file: string, into: MlflowPoint[]): void {
  const text = readFileSync(file, "latin1");
  let offset = 0;
  while (offset < text.length) {
    const end = text.indexOf("\n", offset);
    if (end === -1) throw corrupt(file, offset, "its last line is cut short (no newline)");
    const fields = text.slice(offset, end).trim().split(/\s+/);
    const [timestamp, value, step] = [Number(fields[0]), pythonFloat(fields[1] ?? ""), Number(fields[2] ?? 0)];
    const valid = (fields.length === 2 || fields.length === 3) && Number.isSafeInteger(timestamp) && Number.isSafeInteger(step);
    if (!valid || (Number.isNaN(value) && fields[1] !== "nan")) throw corrupt(file, offset, "a line is not 'timestamp value step'");
    into.push({ key, value, timestamp, step });
    offset = end + 1;
  }
}

function byStepTimeKey(a: MlflowPoint, b: MlflowPoint): number {
  return a.step - b.step || a.timestamp - b.timestamp || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * MLflow's file store by its documented layout: `<root>/<experiment id>/meta.yaml`,
 * `<root>/<experiment id>/<run id>/{meta.yaml,params/,tags/,metrics/,artifacts/}`. Deleted
 * experiments sit in `.trash/` and are not imported.
 */
export class FileStoreReader implements MlflowStoreReader {
  constructor(readonly location: string) {}

  experiments(): MlflowExperiment[] {
    const experiments: MlflowExperiment[] = [];
    for (const name of readdirSync(this.location).sort()) {
      const meta = join(this.location, name, "meta.yaml");
      if (name.startsWith(".") || !existsSync(meta)) continue;
      const record = readMeta(meta, ["experiment_id", "name"]);
      experiments.push({ id: String(record.experiment_id), name: String(record.name), deleted: record.lifecycle_stage === "deleted" });
    }
    return experiments;
  }

  runs(experiment: MlflowExperiment): { runs: MlflowRunInfo[]; damage?: unknown } {
    const dir = join(this.location, experiment.id);
    const runs: MlflowRunInfo[] = [];
    let damage: unknown;
    for (const name of readdirSync(dir).sort()) {
      const folder = join(dir, name);
      const meta = join(folder, "meta.yaml");
      if (NOT_RUNS.has(name) || !statSync(folder).isDirectory() || !existsSync(meta)) continue;
      try {
        runs.push(this.run(experiment, folder, meta));
      } catch (error) {
        damage ??= error;
      }
    }
    runs.sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || (a.id < b.id ? -1 : 1));
    return damage === undefined ? { runs } : { runs, damage };
  }

  private run(experiment: MlflowExperiment, folder: string, meta: string): MlflowRunInfo {
    const record = readMeta(meta, ["run_id", "status"]);
    const status = statusOf(record.status);
    if (status === undefined) throw corrupt(meta, 0, `its status ${JSON.stringify(record.status)} is not an MLflow run status`);
    return {
      id: String(record.run_id),
      name: String(record.run_name ?? ""),
      experimentId: experiment.id,
      status,
      startTime: millis(record.start_time),
      endTime: millis(record.end_time),
      deleted: record.lifecycle_stage === "deleted",
      artifactUri: String(record.artifact_uri ?? ""),
      userId: String(record.user_id ?? ""),
      source: folder,
    };
  }

  params(run: MlflowRunInfo): [string, string][] {
    return keyedFiles(join(run.source, "params")).map(([key, file]) => [key, readFileSync(file, "utf8")]);
  }

  tags(run: MlflowRunInfo): [string, string][] {
    return keyedFiles(join(run.source, "tags")).map(([key, file]) => [key, readFileSync(file, "utf8")]);
  }

  *points(run: MlflowRunInfo): Iterable<MlflowPoint> {
    // A run's values are read whole to order them by step across keys (MLflow keeps a file per key).
    const points: MlflowPoint[] = [];
    let failure: unknown;
    for (const [key, file] of keyedFiles(join(run.source, "metrics"))) {
      try {
        readMetricFile(key, file, points);
      } catch (error) {
        // The other keys' files are whole: they are read too, and the first damage thrown at the end.
        failure ??= error;
      }
    }
    yield* points.sort(byStepTimeKey);
    if (failure !== undefined) throw failure;
  }

  sizeOf(run: MlflowRunInfo): number {
    return keyedFiles(join(run.source, "metrics")).reduce((sum, [, file]) => sum + statSync(file).size, 0);
  }

  close(): void {}
}

function millis(value: unknown): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
