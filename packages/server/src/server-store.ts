import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { StoreReader } from "@runlog/core";
import { DB_FILE, LocalObjectStore, openStoreReader, SqliteSweepBackend, type SweepBackend } from "@runlog/core/store-kit";
import { LocalArtifacts } from "./artifacts/local-artifacts.js";
import { PgArtifactRegistry } from "./artifacts/pg-artifact-registry.js";
import type { ServerArtifacts } from "./artifacts/server-artifacts.js";
import type { KeyStore } from "./auth/api-keys.js";
import { FileKeyStore } from "./auth/file-key-store.js";
import { PgKeyStore } from "./auth/pg-key-store.js";
import { LocalRunFiles } from "./files/local-run-files.js";
import { ObjectRunFiles } from "./files/object-run-files.js";
import type { RunFileStore } from "./files/run-files.js";
import type { ServerRunWriter } from "./ingest/run-writer.js";
import { SqliteRunWriter } from "./ingest/sqlite-run-writer.js";
import { S3ObjectStore } from "./objects/s3-object-store.js";
import { openPool } from "./postgres/pg-pool.js";
import { PgReader } from "./postgres/pg-reader.js";
import { migrate } from "./postgres/pg-schema.js";
import { PgWriter } from "./postgres/pg-writer.js";
import { PgSweepBackend } from "./sweeps/pg-sweep-backend.js";
import { FileWorkspaceLayouts } from "./workspaces/file-workspace-layouts.js";
import { PgWorkspaceLayouts } from "./workspaces/pg-workspace-layouts.js";
import type { WorkspaceLayouts } from "./workspaces/workspace-layouts.js";

/** Everything a server reads and writes: the embedded store under a folder, or PostgreSQL. */
export interface ServerStore {
  readonly kind: "embedded" | "postgres";
  readonly reader: StoreReader;
  readonly writer: ServerRunWriter;
  readonly keys: KeyStore;
  readonly files: RunFileStore;
  readonly artifacts: ServerArtifacts;
  /** Saved dashboard workspaces, per project. */
  readonly layouts: WorkspaceLayouts;
  /** Sweeps and their trials: the embedded store's SQLite tables, or PostgreSQL's (agents coordinate through them). */
  readonly sweeps: SweepBackend;
  /** Where uploads are received before they reach their store. */
  readonly tempDir: string;
  /** The embedded store's root (files and artifacts live there); undefined on PostgreSQL. */
  readonly root: string | undefined;
  /** Resolves when the store answers (the load balancer's health check). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** `postgres://…` opens (and migrates) the team store; anything else is an embedded store's folder. */
export async function openServerStore(options: {
  dir: string;
  store?: string | undefined;
  /** `s3://bucket/prefix` for run files on the team store (default: a folder under `dir`). */
  objects?: string | undefined;
  /** An S3-compatible endpoint for `objects` (MinIO, R2…). */
  objectsEndpoint?: string | undefined;
  poolSize?: number;
}): Promise<ServerStore> {
  const tempDir = join(options.dir, "server", "uploads");
  mkdirSync(tempDir, { recursive: true });
  if (options.store === undefined) {
    // The reader first: it checks the store after an unclean shutdown (before this server's own
    // writer leaves a WAL of its own), and a refused store opens no writer that would keep the process up.
    const reader = openStoreReader({ dir: options.dir });
    const writer = new SqliteRunWriter(join(options.dir, DB_FILE));
    const sweeps = new SqliteSweepBackend(join(options.dir, DB_FILE));
    return {
      kind: "embedded",
      reader,
      writer,
      keys: new FileKeyStore(join(options.dir, "server", "api-keys.json")),
      files: new LocalRunFiles(options.dir, async (id) => {
        const projects = await reader.listProjects();
        const runs = await Promise.all(projects.map((project) => reader.getRun(project.entity, project.name, id)));
        return runs.filter((run) => run !== undefined).length;
      }),
      artifacts: new LocalArtifacts(options.dir),
      layouts: new FileWorkspaceLayouts(join(options.dir, "server", "workspaces")),
      sweeps,
      tempDir,
      root: options.dir,
      async ping() {
        await reader.listProjects();
      },
      async close() {
        sweeps.close();
        reader.close();
        await writer.close();
      },
    };
  }
  const objects =
    options.objects === undefined
      ? new LocalObjectStore(options.dir)
      : new S3ObjectStore({ url: options.objects, endpoint: options.objectsEndpoint, stateDir: join(options.dir, "server") });
  const pool = openPool(options.store, options.poolSize);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const reader = new PgReader(pool);
  return {
    kind: "postgres",
    reader,
    writer: new PgWriter(pool),
    keys: new PgKeyStore(pool),
    files: new ObjectRunFiles(pool, objects, tempDir),
    artifacts: new PgArtifactRegistry(pool, objects),
    layouts: new PgWorkspaceLayouts(pool),
    sweeps: new PgSweepBackend(pool, reader),
    tempDir,
    root: undefined,
    async ping() {
      await pool.query("SELECT 1");
    },
    close: () => pool.end(),
  };
}
