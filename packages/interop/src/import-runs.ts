import { describeValue, RunlogError } from "@runlog/core";
import { importMlflow } from "./mlflow/import-mlflow.js";
import type { ImportOptions } from "./options.js";
import type { ImportReport } from "./pipeline/import-report.js";
import { importTensorboard } from "./tensorboard/import-tensorboard.js";
import { importWandb } from "./wandb/import-wandb.js";

export type ImportKind = "wandb" | "tensorboard" | "mlflow";

const IMPORTERS: Record<ImportKind, (path: string, options?: ImportOptions) => ImportReport | Promise<ImportReport>> = {
  wandb: importWandb,
  tensorboard: importTensorboard,
  mlflow: importMlflow,
};

/** Imports the runs of another tracker found at `path` (see each importer for the layouts it reads). */
export async function importRuns(kind: ImportKind, path: string, options?: ImportOptions): Promise<ImportReport> {
  const importer = IMPORTERS[kind as ImportKind] as (typeof IMPORTERS)[ImportKind] | undefined;
  if (!Object.hasOwn(IMPORTERS, kind) || importer === undefined) {
    throw new RunlogError("INVALID_ARGUMENT", `Unknown import kind ${describeValue(kind)}: use ${Object.keys(IMPORTERS).join(", ")}.`);
  }
  if (typeof path !== "string" || path === "")
    throw new RunlogError("INVALID_ARGUMENT", `importRuns needs a path, got ${describeValue(path)}.`);
  return importer(path, options);
}
