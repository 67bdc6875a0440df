export { type ExportOptions, exportHistory, type TextFormat } from "./csv/export-history.js";
export { type ImportKind, importRuns } from "./import-runs.js";
export { importMlflow } from "./mlflow/import-mlflow.js";
export type { ImportOptions } from "./options.js";
export type { ImportedRun, ImportReport } from "./pipeline/import-report.js";
export { importTensorboard } from "./tensorboard/import-tensorboard.js";
export { importWandb } from "./wandb/import-wandb.js";
