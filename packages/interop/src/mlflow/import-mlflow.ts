import { dirname } from "node:path";
import { type ImportOptions, resolveImportOptions, runIdFrom } from "../options.js";
import type { ImportedRun, ImportReport } from "../pipeline/import-report.js";
import { importedRun, skippedWarnings, Unmapped } from "../pipeline/import-report.js";
import { RunImportWriter } from "../pipeline/run-import-writer.js";
import { locateMlflowStore } from "./detect.js";
import { FileStoreReader } from "./file-store.js";
import type { MlflowExperiment, MlflowStoreReader } from "./model.js";
import { mapMlflowRun } from "./run-mapper.js";
import { SqliteStoreReader } from "./sqlite-store.js";

/** Characters a Runlog project name cannot hold (W&B's rule). */
const PROJECT_FORBIDDEN = /[/\\#?%:]/g;

/**
 * Imports an MLflow tracking store (an `mlruns/` file store or a SQLite database): each experiment
 * becomes a project of the same name, each run a run with the same id. Deleted experiments and
 * runs are left out and counted. Importing the same store again adds nothing.
 */
export function importMlflow(path: string, options?: ImportOptions): ImportReport {
  const resolved = resolveImportOptions(options);
  const location = locateMlflowStore(path);
  const reader: MlflowStoreReader = location.kind === "sqlite" ? new SqliteStoreReader(location.file) : new FileStoreReader(location.root);
  const base = location.kind === "sqlite" ? dirname(location.file) : location.root;
  const unmapped = new Unmapped();
  const runs: ImportedRun[] = [];
  try {
    for (const experiment of reader.experiments()) {
      if (experiment.deleted) {
        unmapped.add("mlflow: deleted experiments");
        continue;
      }
      runs.push(...importExperiment(reader, experiment, base, resolved, unmapped));
    }
  } finally {
    reader.close();
  }
  return { runs, unmapped: unmapped.toJSON(), warnings: skippedWarnings(runs) };
}

function importExperiment(
  reader: MlflowStoreReader,
  experiment: MlflowExperiment,
  base: string,
  resolved: ReturnType<typeof resolveImportOptions>,
  unmapped: Unmapped,
): ImportedRun[] {
  const { runs: all, damage } = reader.runs(experiment);
  const live = all.filter((run) => !run.deleted);
  if (live.length < all.length) unmapped.add("mlflow: deleted runs", all.length - live.length);
  const parents = new Set<string>();
  for (const run of live) {
    const parent = reader.tags(run).find(([key]) => key === "mlflow.parentRunId")?.[1];
    if (parent) parents.add(parent);
  }
  const project = resolved.project ?? projectName(experiment.name);
  const imported: ImportedRun[] = [];
  for (const run of live) {
    const address = { entity: resolved.entity, project, id: runIdFrom(run.id) };
    const writer = new RunImportWriter({ root: resolved.root, ...address });
    const total = reader.sizeOf(run);
    let failure: unknown;
    try {
      mapMlflowRun(writer, reader, run, { ...address, experimentName: experiment.name, parents, base }, unmapped);
    } catch (error) {
      failure = error;
    }
    // What was read before any damage is kept: written and applied before the error is thrown.
    const result = writer.finish();
    resolved.onProgress({ file: run.source, done: total, total });
    if (failure !== undefined) throw failure;
    imported.push(
      importedRun(
        { ...address, sources: [run.source], written: writer.written, applied: result.applied, points: writer.points },
        writer.skipped,
      ),
    );
  }
  // A run that could not be read at all: every other run of the experiment is imported first.
  if (damage !== undefined) throw damage;
  return imported;
}

function projectName(name: string): string {
  const cleaned = name.replace(PROJECT_FORBIDDEN, "-").trim().slice(0, 128);
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "imported" : cleaned;
}
