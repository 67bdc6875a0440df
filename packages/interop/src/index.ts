export { type ExportOptions, exportHistory, type TextFormat } from "./csv/export-history.js";
export { type ImportKind, importRuns } from "./import-runs.js";
export type { ImportOptions } from "./options.js";
export { exportParquet, type ParquetExportOptions, type ParquetLayout } from "./parquet/export-parquet.js";
export type { ImportedRun, ImportReport } from "./pipeline/import-report.js";
export { exportSummaryTable, type SummaryTableFormat, type SummaryTableOptions } from "./summary-table/export-summary-table.js";
export { importTensorboard } from "./tensorboard/import-tensorboard.js";
export { exportTfevents, type TfeventsExport } from "./tfevents/export-tfevents.js";
export { importWandb } from "./wandb/import-wandb.js";
