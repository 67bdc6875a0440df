import type { Pool } from "pg";
import { inTransaction } from "./pg-pool.js";

/**
 * Versioned migrations, as in the embedded store: never edit a shipped one, add the next.
 * Times are Unix seconds (double precision), JSON columns hold core's tagged JSON text (NaN and
 * ±Infinity survive), series chunks are bytea exactly as the embedded store's blobs.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (entity, name)
  );
  CREATE TABLE runs (
    pk BIGSERIAL PRIMARY KEY,
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
    created_at DOUBLE PRECISION NOT NULL,
    heartbeat_at DOUBLE PRECISION NOT NULL,
    finished_at DOUBLE PRECISION,
    runtime DOUBLE PRECISION NOT NULL DEFAULT 0,
    crash_timeout DOUBLE PRECISION NOT NULL DEFAULT 300,
    attempts INTEGER NOT NULL DEFAULT 1,
    forked_from TEXT,
    last_step BIGINT NOT NULL DEFAULT -1,
    applied_seq BIGINT NOT NULL DEFAULT 0,
    UNIQUE (entity, project, run_id)
  );
  CREATE INDEX runs_by_project ON runs (entity, project, created_at);
  CREATE TABLE series_keys (
    id BIGSERIAL PRIMARY KEY,
    run_pk BIGINT NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    stream TEXT NOT NULL,
    key TEXT NOT NULL,
    UNIQUE (run_pk, stream, key)
  );
  -- One row per chunk of up to CHUNK_POINTS points: stats for charts, bytea columns for points.
  CREATE TABLE series_chunks (
    key_id BIGINT NOT NULL REFERENCES series_keys (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    first_step DOUBLE PRECISION NOT NULL,
    last_step DOUBLE PRECISION NOT NULL,
    count INTEGER NOT NULL,
    min DOUBLE PRECISION,
    max DOUBLE PRECISION,
    first_value DOUBLE PRECISION,
    last_value DOUBLE PRECISION,
    steps BYTEA NOT NULL,
    vals BYTEA NOT NULL,
    PRIMARY KEY (key_id, seq)
  );
  CREATE TABLE history_rows (
    run_pk BIGINT NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    step BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_pk, step)
  );
  CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    run_pk BIGINT NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    level TEXT NOT NULL,
    wait_duration DOUBLE PRECISION NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
  );
  CREATE INDEX alerts_by_run ON alerts (run_pk, created_at);
  CREATE TABLE files (
    run_pk BIGINT NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT,
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_pk, path)
  );
  CREATE TABLE spans (
    id BIGSERIAL,
    run_pk BIGINT NOT NULL REFERENCES runs (pk) ON DELETE CASCADE,
    span_id TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    parent_id TEXT,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    start_time DOUBLE PRECISION NOT NULL,
    end_time DOUBLE PRECISION,
    status TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (run_pk, span_id)
  );
  -- API keys: only the SHA-256 of a key is stored; the key itself is shown once at creation.
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    description TEXT NOT NULL DEFAULT '',
    created_at DOUBLE PRECISION NOT NULL,
    revoked_at DOUBLE PRECISION
  );
  `,
  `
  -- Run files (media, run.save, output.log) uploaded by online runs: the content lives in the
  -- object store by SHA-256. Keyed by run address, not run pk: a file may arrive before the run's first batch.
  CREATE TABLE run_file_objects (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    run_id TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (entity, project, run_id, path)
  );
  `,
  `
  -- Artifacts, as in the embedded store: collections ("sequence", or "portfolio" for registry
  -- collections that link versions without copying), versions v0…vN, aliases, links, lineage.
  -- File contents are in the object store by SHA-256.
  CREATE TABLE artifact_collections (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'sequence',
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (entity, project, name)
  );
  CREATE TABLE artifact_versions (
    id BIGSERIAL PRIMARY KEY,
    collection_id BIGINT NOT NULL REFERENCES artifact_collections (id),
    version_index INTEGER NOT NULL,
    digest TEXT NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    manifest TEXT NOT NULL,
    size BIGINT NOT NULL,
    file_count INTEGER NOT NULL,
    created_by TEXT,
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (collection_id, version_index)
  );
  CREATE INDEX artifact_versions_by_digest ON artifact_versions (collection_id, digest);
  CREATE TABLE artifact_aliases (
    collection_id BIGINT NOT NULL REFERENCES artifact_collections (id),
    alias TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES artifact_versions (id),
    PRIMARY KEY (collection_id, alias)
  );
  CREATE TABLE artifact_links (
    portfolio_id BIGINT NOT NULL REFERENCES artifact_collections (id),
    link_index INTEGER NOT NULL,
    version_id BIGINT NOT NULL REFERENCES artifact_versions (id),
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (portfolio_id, link_index),
    UNIQUE (portfolio_id, version_id)
  );
  CREATE TABLE artifact_lineage (
    run_path TEXT NOT NULL,
    version_id BIGINT NOT NULL REFERENCES artifact_versions (id),
    direction TEXT NOT NULL CHECK (direction IN ('input', 'output')),
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_path, version_id, direction)
  );
  CREATE INDEX artifact_lineage_by_version ON artifact_lineage (version_id);
  `,
  `
  -- Which entity may read which stored object: objects are shared by SHA-256, so an entity reads
  -- one only after uploading its bytes or committing a version naming it. Existing versions grant theirs.
  CREATE TABLE object_grants (
    entity TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (entity, sha256)
  );
  INSERT INTO object_grants (entity, sha256)
  SELECT DISTINCT c.entity, entry.value -> 'extra' ->> 'sha256'
  FROM artifact_versions v
  JOIN artifact_collections c ON c.id = v.collection_id
  CROSS JOIN LATERAL jsonb_each(v.manifest::jsonb -> 'contents') AS entry
  WHERE entry.value -> 'extra' ->> 'sha256' IS NOT NULL
  ON CONFLICT DO NOTHING;
  `,
  `
  -- 5: a project's saved dashboard workspace (the view's URL parameters, workspaces/workspace-layouts.ts).
  CREATE TABLE workspace_layouts (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    layout JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entity, project)
  );
  `,
  `
  -- 6: sweeps (sweeps/pg-sweep-backend.ts), as in the embedded store's schema 7: the controller's
  -- memory. A trial is a handed-out point under a lease; its run (same run_id) lives in runs.
  CREATE TABLE sweeps (
    pk BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    sweep_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'running',
    config TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    UNIQUE (entity, project, sweep_id)
  );
  CREATE INDEX sweeps_by_id ON sweeps (sweep_id);
  CREATE TABLE sweep_trials (
    sweep_pk BIGINT NOT NULL REFERENCES sweeps (pk) ON DELETE CASCADE,
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    agent_id TEXT,
    lease_until DOUBLE PRECISION NOT NULL,
    stop_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (sweep_pk, run_id),
    UNIQUE (sweep_pk, seq)
  );
  `,
  `
  -- 7: dashboard edits of tags and notes, as in the embedded store's schema 8 (PgWriter.editRun):
  -- described holds the tags and notes of the run's last run record, so a later one changes a
  -- field only when the run changed it; edits is the readers' cache stamp. Existing runs start
  -- from their stored tags and notes.
  ALTER TABLE runs ADD COLUMN described TEXT;
  ALTER TABLE runs ADD COLUMN edits INTEGER NOT NULL DEFAULT 0;
  UPDATE runs SET described = json_build_object('tags', tags::json, 'notes', notes)::text;
  `,
  `
  -- 8: distributed artifacts (upsertArtifact/finishArtifact), as in the embedded store's
  -- artifact_drafts: files several runs add to one pending version until one of them finishes it.
  -- The content is already uploaded (object_grants says who may name it).
  CREATE TABLE artifact_drafts (
    entity TEXT NOT NULL,
    project TEXT NOT NULL,
    name TEXT NOT NULL,
    distributed_id TEXT NOT NULL,
    type TEXT NOT NULL,
    path TEXT NOT NULL,
    entry JSONB NOT NULL,
    PRIMARY KEY (entity, project, name, distributed_id, path)
  );
  `,
];

/** Any fixed 64-bit number: every instance takes this advisory lock before migrating. */
const MIGRATION_LOCK = 7_210_414_001;

/**
 * Brings the database to the latest schema. Several servers starting at once serialize on a
 * transaction-scoped advisory lock, so each migration runs exactly once.
 */
export async function migrate(pool: Pool): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS runlog_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const { rows } = await client.query<{ v: number | null }>("SELECT MAX(version) AS v FROM runlog_migrations");
    const current = rows[0]?.v ?? 0;
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version - 1] as string);
      await client.query("INSERT INTO runlog_migrations (version) VALUES ($1)", [version]);
    }
    return MIGRATIONS.length;
  });
}
