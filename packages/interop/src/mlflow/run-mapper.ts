import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Unmapped } from "../pipeline/import-report.js";
import type { RunImportWriter } from "../pipeline/run-import-writer.js";
import type { MlflowRunInfo, MlflowStatus, MlflowStoreReader } from "./model.js";

export interface MlflowRunContext {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly experimentName: string;
  /** Run ids some other run names as its `mlflow.parentRunId` (they become their group's name). */
  readonly parents: ReadonlySet<string>;
  /** Folder that relative artifact URIs are resolved against (where the store is). */
  readonly base: string;
}

const EXIT: Partial<Record<MlflowStatus, { exitCode: number; state: "finished" | "failed" | "killed" }>> = {
  FINISHED: { exitCode: 0, state: "finished" },
  FAILED: { exitCode: 1, state: "failed" },
  KILLED: { exitCode: 1, state: "killed" },
};

/** Runlog tags are 1–64 characters; MLflow's are key/value pairs. */
const MAX_TAG = 64;

/**
 * Maps one MLflow run onto a Runlog run: params → config, metric values → history rows (one row
 * per step holding every key logged at it; `_step` = MLflow's step, `_timestamp` = its first
 * value's time in seconds, `_runtime` = seconds since the run started), `mlflow.*` tags → name,
 * notes, group, user and source; other tags → `key=value` tags; all tags also kept in
 * `metadata.mlflow.tags`; artifacts → run files; status → state.
 */
export function mapMlflowRun(
  writer: RunImportWriter,
  reader: MlflowStoreReader,
  run: MlflowRunInfo,
  context: MlflowRunContext,
  unmapped: Unmapped,
): void {
  const tags = Object.fromEntries(reader.tags(run));
  const startMs = run.startTime ?? 0;
  const parent = tags["mlflow.parentRunId"];
  const group = parent ? parent : context.parents.has(run.id) ? run.id : undefined;
  const runTags: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (key.startsWith("mlflow.")) continue;
    const tag = value === "" ? key : `${key}=${value}`;
    if (tag.length <= MAX_TAG) runTags.push(tag);
    else unmapped.add("mlflow: tags longer than 64 characters as key=value (kept in metadata.mlflow.tags)");
  }
  writer.push(
    "run",
    {
      entity: context.entity,
      project: context.project,
      id: context.id,
      name: run.name || tags["mlflow.runName"] || run.id,
      ...(tags["mlflow.note.content"] ? { notes: tags["mlflow.note.content"] } : {}),
      tags: runTags,
      ...(group === undefined ? {} : { group }),
      startTime: startMs / 1000,
      crashTimeout: 300,
      attempt: 0,
    },
    startMs,
  );
  const git = { commit: tags["mlflow.source.git.commit"], remote: tags["mlflow.source.git.repoURL"] };
  writer.push("meta", {
    metadata: {
      source: "mlflow",
      importedFrom: run.source,
      ...(run.userId || tags["mlflow.user"] ? { username: run.userId || tags["mlflow.user"] } : {}),
      ...(tags["mlflow.source.name"] ? { program: tags["mlflow.source.name"] } : {}),
      ...(git.commit || git.remote ? { git: Object.fromEntries(Object.entries(git).filter(([, v]) => v)) } : {}),
      mlflow: {
        runId: run.id,
        experimentId: run.experimentId,
        experimentName: context.experimentName,
        status: run.status,
        artifactUri: run.artifactUri,
        tags,
      },
    },
  });
  const params = reader.params(run);
  if (params.length > 0) writer.push("config", { config: Object.fromEntries(params) });

  let failure: unknown;
  try {
    writeRows(writer, reader, run, startMs, unmapped);
  } catch (error) {
    failure = error;
  }
  copyArtifacts(writer, run, context.base, unmapped);
  const exit = EXIT[run.status];
  if (exit !== undefined && failure === undefined) {
    const endMs = run.endTime ?? startMs;
    writer.push("exit", { ...exit, runtime: Math.max(0, endMs - startMs) / 1000 }, endMs);
  } else if (exit === undefined) {
    unmapped.add(`mlflow: runs still ${run.status} (imported without an end)`);
  }
  if (failure !== undefined) throw failure;
}

/** Metric values (ordered by step) as history rows: every key logged at one step is one row. */
function writeRows(writer: RunImportWriter, reader: MlflowStoreReader, run: MlflowRunInfo, startMs: number, unmapped: Unmapped) {
  let step: number | undefined;
  let values: Record<string, unknown> = {};
  let firstMs = 0;
  const flush = () => {
    if (step === undefined) return;
    writer.row("history", step, { ...values, _runtime: (firstMs - startMs) / 1000, _timestamp: firstMs / 1000 }, firstMs);
  };
  try {
    for (const point of reader.points(run)) {
      if (point.step !== step) {
        flush();
        step = point.step;
        values = {};
        firstMs = point.timestamp;
      } else if (point.key in values) {
        // A history row holds one value per key: MLflow's later value at the same step wins.
        unmapped.add("mlflow: earlier values of a metric logged again at the same step");
      }
      values[point.key] = point.value;
    }
  } finally {
    flush(); // the row being built when damage was met is whole: keep it
  }
}

/** The run's artifact folder, when its URI is local (file:, or a path as the SQLite store writes it). */
function artifactFolder(uri: string, base: string): string | undefined {
  if (uri === "") return undefined;
  if (uri.startsWith("file:")) return fileURLToPath(uri);
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return undefined;
  return isAbsolute(uri) ? uri : resolve(base, uri);
}

function copyArtifacts(writer: RunImportWriter, run: MlflowRunInfo, base: string, unmapped: Unmapped): void {
  const folder = artifactFolder(run.artifactUri, base);
  if (folder === undefined) {
    unmapped.add("mlflow: artifacts at a remote URI (not copied)");
    return;
  }
  if (!existsSync(folder)) return; // no artifact was logged
  const files: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else files.push(path);
    }
  };
  visit(folder);
  for (const file of files) writer.copyFile(relative(folder, file).split(sep).join("/"), file);
}
