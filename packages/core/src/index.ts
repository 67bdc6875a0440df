export type { ApiOptions } from "./api/api.js";
export { Api } from "./api/api.js";
export type { HistoryRow } from "./api/api-run.js";
export { ApiRun } from "./api/api-run.js";
export { type RunFilter, runField } from "./api/filters.js";
export type { Span, SpanKind, TokenUsage } from "./api/traces.js";
export type { ArtifactEntry } from "./artifacts/artifact.js";
export { Artifact } from "./artifacts/artifact.js";
export type { Manifest, ManifestEntry } from "./artifacts/manifest.js";
export type { ArtifactProgress } from "./artifacts/progress.js";
export type { LogArtifactOptions } from "./artifacts/run-artifacts.js";
export { Audio } from "./data-types/audio.js";
export { Histogram } from "./data-types/histogram.js";
export { Html } from "./data-types/html.js";
export type { ImageOptions } from "./data-types/image.js";
export { Image } from "./data-types/image.js";
export type { HistoryContext, Loggable } from "./data-types/loggable.js";
export { isLoggable, TO_HISTORY } from "./data-types/loggable.js";
export { Object3D } from "./data-types/object3d.js";
export { CustomChart, plot } from "./data-types/plots.js";
export type { ColumnType, LogMode } from "./data-types/table.js";
export { Table } from "./data-types/table.js";
export { Video } from "./data-types/video.js";
export type { RunlogErrorCode } from "./errors.js";
export { describeValue, RunlogError } from "./errors.js";
export type { LogOptions } from "./history/log-handler.js";
export type { DefineMetricOptions, Goal, Metric, SummaryType } from "./metrics/metric.js";
export type { RunState } from "./pipeline/records.js";
export type { AlertLevel, AlertOptions } from "./run/alerts.js";
export { Config } from "./run/config.js";
export { init } from "./run/init.js";
export { currentRun } from "./run/lifecycle.js";
export type { FinishOptions, RunStatus } from "./run/run.js";
export { Run } from "./run/run.js";
export { listRunFolders, type RunAddress, type RunFolderEntry, runFolder } from "./run/run-folder.js";
export type { InitOptions, ReinitMode, ResumeMode, RunMode } from "./run/run-options.js";
export type { Settings } from "./run/settings.js";
export type { SpanRecord } from "./run/span-record.js";
export { Summary } from "./run/summary.js";
export { CHUNK_FIELDS, HttpReader } from "./store/online/http-reader.js";
export { IngestClient, IngestError } from "./store/online/ingest-client.js";
export { type ServerSyncResult, uploadRunDir } from "./store/online/sync-to-server.js";
export { openStoreReader, storeRoot } from "./store/open-reader.js";
export type { SeriesResult } from "./store/series.js";
export {
  checkLogs,
  checkStore,
  findRunDirs,
  type LogCheck,
  type RebuildResult,
  rebuildStore,
  type StoreCheck,
} from "./store/sqlite/store-check.js";
export { refuseDamagedStore } from "./store/sqlite/unclean-shutdown.js";
export type { AlertView, ChunkInfos, FileView, Points, RunView, SpanView, StoreReader, Stream } from "./store/store.js";
export type { SyncResult } from "./sync.js";
export { defaultStoreRoot, describeDamage, syncRunDir } from "./sync.js";
/** JSON that keeps NaN, ±Infinity and big integers (for HTTP bodies and files). */
export { decodeJson, encodeJson } from "./util/json.js";
export type { ModelWatcher, ResolvedWatchOptions, WatchHandle, WatchLog, WatchOptions, WatchTarget } from "./watch/registry.js";
export { registerWatcher } from "./watch/registry.js";
