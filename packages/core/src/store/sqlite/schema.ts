import type Database from "better-sqlite3";
import { RunlogError } from "../../errors.js";
import { registerChecksumFunction } from "./checksums.js";

/**
 * Versioned migrations, applied in order inside one IMMEDIATE transaction so several
 * processes opening a fresh root at once migrate it exactly once.
 * Never edit a shipped migration: add the next one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (entity, name)
  );
  CREATE TABLE runs (
    pk INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    notes TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    group_name TEXT,
    job_type TEXT,
    sweep_id TEXT,
    state TEXT NOT NULL DEFAULT 'running',
    exit_code INTEGER,
    config TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '{}',
    metrics TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    finished_at REAL,
    runtime REAL NOT NULL DEFAULT 0,
    crash_timeout REAL NOT NULL DEFAULT 300,
    attempts INTEGER NOT NULL DEFAULT 1,
    forked_from TEXT,
    last_step INTEGER NOT NULL DEFAULT -1,
    applied_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (entity, project, run_id)
  );
  CREATE INDEX runs_by_project ON runs (entity, project, created_at);
  CREATE TABLE series_keys (
    id INTEGER PRIMARY KEY,
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    stream TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE (run_pk, stream, key)
  );
  -- Scalar series, columnar. Each chunk holds up to CHUNK_POINTS steps and values as
  -- Float64 blobs. Stats live in their own small table (a few hundred rows per page), so
  -- charts bucket millions of points from min/max/last without touching the blobs.
  CREATE TABLE series_chunks (
    key_id INTEGER NOT NULL REFERENCES series_keys (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    first_step REAL NOT NULL,
    last_step REAL NOT NULL,
    count INTEGER NOT NULL,
    min REAL,
    max REAL,
    first_value REAL,
    last_value REAL,
    blob_id INTEGER NOT NULL,
    PRIMARY KEY (key_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE series_blobs (
    id INTEGER PRIMARY KEY,
    steps BLOB NOT NULL,
    vals BLOB NOT NULL
  );
  -- Chunk stats packed INDEX_PAGE_CHUNKS to a blob (see chunk-index.ts): a chart reads the
  -- stats of 10 M points in ~40 blobs instead of 10 k rows.
  CREATE TABLE series_index (
    key_id INTEGER NOT NULL REFERENCES series_keys (id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    stats BLOB NOT NULL,
    PRIMARY KEY (key_id, page)
  ) WITHOUT ROWID;
  CREATE TRIGGER series_chunks_free_blob AFTER DELETE ON series_chunks
  BEGIN
    DELETE FROM series_blobs WHERE id = old.blob_id;
  END;
  -- Non-scalar history values (histograms, strings, media references) per step.
  CREATE TABLE history_rows (
    id INTEGER PRIMARY KEY,
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (run_pk, step)
  );
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    level TEXT NOT NULL,
    wait_duration REAL NOT NULL,
    created_at REAL NOT NULL
  );
  CREATE INDEX alerts_by_run ON alerts (run_pk, created_at);
  CREATE TABLE files (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT,
    updated_at REAL NOT NULL,
    PRIMARY KEY (run_pk, path)
  );
  `,
  `
  -- Artifacts. A collection is a named sequence of versions ("sequence") or a registry
  -- collection that links versions of other collections without copying ("portfolio").
  CREATE TABLE artifact_collections (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'sequence',
    created_at REAL NOT NULL,
    UNIQUE (entity, project, name)
  );
  CREATE TABLE artifact_versions (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL REFERENCES artifact_collections (id),
    version_index INTEGER NOT NULL,
    digest TEXT NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    manifest TEXT NOT NULL,
    size INTEGER NOT NULL,
    file_count INTEGER NOT NULL,
    created_by TEXT,
    created_at REAL NOT NULL,
    UNIQUE (collection_id, version_index)
  );
  CREATE INDEX artifact_versions_by_digest ON artifact_versions (collection_id, digest);
  CREATE TABLE artifact_aliases (
    collection_id INTEGER NOT NULL REFERENCES artifact_collections (id),
    alias TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES artifact_versions (id),
    PRIMARY KEY (collection_id, alias)
  );
  -- Registry links: a portfolio's version N points at a version of another collection.
  CREATE TABLE artifact_links (
    portfolio_id INTEGER NOT NULL REFERENCES artifact_collections (id),
    link_index INTEGER NOT NULL,
    version_id INTEGER NOT NULL REFERENCES artifact_versions (id),
    created_at REAL NOT NULL,
    PRIMARY KEY (portfolio_id, link_index),
    UNIQUE (portfolio_id, version_id)
  );
  -- Lineage by run path, so an artifact can be logged before the run's row reaches the store.
  CREATE TABLE artifact_lineage (
    run_path TEXT NOT NULL,
    version_id INTEGER NOT NULL REFERENCES artifact_versions (id),
    direction TEXT NOT NULL CHECK (direction IN ('input', 'output')),
    created_at REAL NOT NULL,
    PRIMARY KEY (run_path, version_id, direction)
  );
  CREATE INDEX artifact_lineage_by_version ON artifact_lineage (version_id);
  CREATE TABLE hash_cache (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    ino INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    md5 TEXT NOT NULL
  );
  `,
  `
  -- Distributed artifacts: files several processes upsert into one pending version until
  -- finishArtifact commits it. The content is already in the object store.
  CREATE TABLE artifact_drafts (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    distributed_id TEXT NOT NULL,
    type TEXT NOT NULL,
    path TEXT NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (entity, project, name, distributed_id, path)
  );
  `,
  `
  -- Trace spans (LangChain and other tracers): written at start, completed at end, so a crash
  -- leaves the spans that never ended, which readers report as incomplete.
  CREATE TABLE spans (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    span_id TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    parent_id TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    start_time REAL NOT NULL,
    end_time REAL,
    status TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (run_pk, span_id)
  );
  CREATE INDEX spans_by_trace ON spans (run_pk, trace_id, start_time);
  `,
  // Checksums of chunk data and index pages (checksums.ts): damage is detected, never served. NULL: written before.
  `
  ALTER TABLE series_blobs ADD COLUMN crc INTEGER;
  ALTER TABLE series_index ADD COLUMN crc INTEGER;
  `,
  // Checksums of the stored JSON text readers serve (checksums.ts textChecksum), backfilled so older
  // stores are verified from now on. runlog_crc32 is registered by openDatabase.
  `
  ALTER TABLE runs ADD COLUMN config_crc INTEGER;
  ALTER TABLE runs ADD COLUMN summary_crc INTEGER;
  ALTER TABLE runs ADD COLUMN metrics_crc INTEGER;
  ALTER TABLE runs ADD COLUMN metadata_crc INTEGER;
  ALTER TABLE runs ADD COLUMN tags_crc INTEGER;
  UPDATE runs SET config_crc = runlog_crc32(config), summary_crc = runlog_crc32(summary), metrics_crc = runlog_crc32(metrics),
    metadata_crc = runlog_crc32(metadata), tags_crc = runlog_crc32(tags);
  ALTER TABLE history_rows ADD COLUMN crc INTEGER;
  UPDATE history_rows SET crc = runlog_crc32(data);
  ALTER TABLE spans ADD COLUMN crc INTEGER;
  UPDATE spans SET crc = runlog_crc32(data);
  ALTER TABLE artifact_versions ADD COLUMN json_crc INTEGER;
  UPDATE artifact_versions SET json_crc = runlog_crc32(metadata, tags, manifest);
  `,
  // Sweeps (sweeps/sqlite-sweep-backend.ts): the controller's memory. A trial is a handed-out
  // point under a lease; its run (same run_id) lives in runs like any other.
  `
  CREATE TABLE sweeps (
    pk INTEGER PRIMARY KEY,
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    sweep_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'running',
    config TEXT NOT NULL,
    created_at REAL NOT NULL,
    UNIQUE (entity, project, sweep_id)
  );
  CREATE INDEX sweeps_by_id ON sweeps (sweep_id);
  CREATE TABLE sweep_trials (
    sweep_pk INTEGER NOT NULL REFERENCES sweeps (pk) ON DELETE CASCADE,
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    agent_id TEXT,
    lease_until REAL NOT NULL,
    stop_requested INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    PRIMARY KEY (sweep_pk, run_id),
    UNIQUE (sweep_pk, seq)
  );
  `,
  // Dashboard edits of tags and notes (SqliteStore.editRun). described: the tags and notes of the
  // run's last run record as JSON, so a later run record changes a field only when the run itself
  // changed it (a rename re-sends old tags; it must not undo an edit). edits: bumped by every edit,
  // part of the readers' cache stamp. Existing runs start from their stored tags and notes (a row
  // whose tags are damaged keeps NULL: its next run record applies whole).
  `
  ALTER TABLE runs ADD COLUMN described TEXT;
  ALTER TABLE runs ADD COLUMN edits INTEGER NOT NULL DEFAULT 0;
  UPDATE runs SET described = json_object('tags', json(tags), 'notes', notes) WHERE json_valid(tags);
  `,
  // Shared mode (run/shared-writer.ts): one row per writer of a run. applied_seq is the writer's own
  // sequence space (its logs attempt-NNNN-<label>.rlog), so replay and sync are idempotent per writer;
  // its history lives under the streams history@<label> / system@<label>, its non-scalar rows here.
  `
  CREATE TABLE run_writers (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    label TEXT NOT NULL,
    is_primary INTEGER NOT NULL,
    applied_seq INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'running',
    exit_code INTEGER,
    last_step INTEGER NOT NULL DEFAULT -1,
    heartbeat_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    config TEXT,
    summary TEXT,
    PRIMARY KEY (run_pk, label)
  );
  CREATE TABLE writer_rows (
    run_pk INTEGER NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    label TEXT NOT NULL,
    step INTEGER NOT NULL,
    data TEXT NOT NULL,
    crc INTEGER,
    PRIMARY KEY (run_pk, label, step)
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  registerChecksumFunction(db);
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new RunlogError(
        "STORE_ERROR",
        `runlog.db has schema version ${version}, newer than this runlog (${SCHEMA_VERSION}); upgrade runlog (npm install @runlog/core@latest).`,
      );
    }
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
