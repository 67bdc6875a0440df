/**
 * `@runlog/core/store-kit`: what another store implementation (the PostgreSQL store in
 * `@runlog/server`) needs from core to apply records exactly as the embedded store does:
 * the frame decoder, the record shapes, the chunk codec and the run-state rule.
 * Also the plumbing the CLI and the server share: the online client, store checks and sync.
 * Not part of the user-facing API: it may change with the stores.
 */

export { type EncodedRow, scanRowsJson } from "./api/history-scan.js";
export {
  ArtifactRegistry,
  type CollectionRef,
  type CommitRequest,
  type VersionRecord,
  type VersionRow,
  versionRecordOf,
} from "./artifacts/artifact-registry.js";
export { buildManifest, type Manifest, type ManifestEntry, manifestDigest } from "./artifacts/manifest.js";
export { type ContentHash, hashFile, LocalObjectStore, type ObjectStore, type PutResult } from "./artifacts/object-store.js";
export { syncOfflineArtifacts } from "./artifacts/offline/local-replay.js";
export type { OfflineArtifactsResult } from "./artifacts/offline/replay.js";
export { resolveInside, safeRelativePath } from "./artifacts/safe-path.js";
export {
  validateAliases,
  validateArtifactName,
  validateArtifactTags,
  validateArtifactType,
  validateMetadata,
} from "./artifacts/validate.js";
export { ERROR_TABLE, httpStatusOf } from "./error-table.js";
export { encodeFrames, type FrameScan, scanFrames } from "./pipeline/frame.js";
export type {
  AlertHeader,
  ConfigHeader,
  DecodedRecord,
  ExitHeader,
  FileHeader,
  HeaderOf,
  HistoryHeader,
  MetaHeader,
  MetricsHeader,
  RecordKindName,
  RecordOf,
  RunHeader,
  ScalarColumn,
  SpanHeader,
  SummaryHeader,
} from "./pipeline/records.js";
export type { DescribeRunRequest, DescribeRunResult, Sink, StoredRunSnapshot } from "./pipeline/sink.js";
export { readTransactionLog, TransactionLogWriter } from "./pipeline/transaction-log.js";
export { RUN_FILE, readRunAddress, runFolder } from "./run/run-folder.js";
export { acquireRunLock, type RunLock } from "./run/run-lock.js";
export { validateSpan } from "./run/span-record.js";
export { emptyChunkInfos } from "./store/chunk-index.js";
export {
  blobToFloat64,
  CHUNK_POINTS,
  type ChunkStats,
  type ChunkTail,
  chunkStats,
  decodeSteps,
  emptyChunkTail,
  encodeSteps,
  fillTail,
  float64ToBlob,
} from "./store/chunks.js";
export { CHUNK_FIELDS, HttpReader } from "./store/online/http-reader.js";
export { HttpSink } from "./store/online/http-sink.js";
export { IngestClient, IngestError, type RunAddress } from "./store/online/ingest-client.js";
export { OnlineSweepBackend } from "./store/online/online-sweep-backend.js";
export { type ServerSyncResult, uploadRunDir } from "./store/online/sync-to-server.js";
export { openStoreReader, storeRoot } from "./store/open-reader.js";
export { describedChanges, describedText, type RunMetaEdit, type RunRow, runViewOf, storedSnapshotOf } from "./store/run-row.js";
export { effectiveState } from "./store/run-state.js";
export type { RunWriter } from "./store/run-writer.js";
export { SPAN_COLUMNS, type SpanRow, spanViewOf } from "./store/span-row.js";
export { DB_FILE } from "./store/sqlite/database.js";
export { listRunLogs, SqliteStore } from "./store/sqlite/sqlite-store.js";
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
/** The sweep engine's decisions, for agents and controllers outside core (the pure functions `agent()` uses). */
export { proposeNext, runsToStop, type TrialCommandContext, type TrialView, trialArgsJson, trialCommand } from "./sweeps/engine/index.js";
export { readMetricHistories } from "./sweeps/metric-history.js";
export { SqliteSweepBackend } from "./sweeps/sqlite-sweep-backend.js";
export type {
  ReportOptions,
  SweepAddress,
  SweepBackend,
  SweepRecord,
  SweepState,
  TakeOptions,
  TakeResult,
  TrialRecord,
  TrialState,
} from "./sweeps/sweep-backend.js";
export { type SweepRow, sweepRecordOf, type TrialRow, trialRecordOf } from "./sweeps/sweep-rows.js";
export { checkSweepTransition, engineView, expiredTrialState, isFinalTrialState, SWEEP_STATES } from "./sweeps/trial-rules.js";
export type { SyncResult } from "./sync.js";
export { defaultStoreRoot, describeDamage, syncRunDir } from "./sync.js";
export { generateRunId, validateRunId, validateScopeName } from "./util/names.js";
