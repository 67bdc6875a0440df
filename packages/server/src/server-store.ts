import { join } from "node:path";
import { openStoreReader, type StoreReader } from "@runlog/core";
import { DB_FILE } from "@runlog/core/store-kit";
import type { KeyStore } from "./auth/api-keys.js";
import { FileKeyStore } from "./auth/file-key-store.js";
import { PgKeyStore } from "./auth/pg-key-store.js";
import type { RunWriter } from "./ingest/run-writer.js";
import { SqliteRunWriter } from "./ingest/sqlite-run-writer.js";
import { openPool } from "./postgres/pg-pool.js";
import { PgReader } from "./postgres/pg-reader.js";
import { migrate } from "./postgres/pg-schema.js";
import { PgWriter } from "./postgres/pg-writer.js";

/** Everything a server reads and writes: the embedded store under a folder, or PostgreSQL. */
export interface ServerStore {
  readonly kind: "embedded" | "postgres";
  readonly reader: StoreReader;
  readonly writer: RunWriter;
  readonly keys: KeyStore;
  /** The embedded store's root (files and artifacts live there); undefined on PostgreSQL. */
  readonly root: string | undefined;
  close(): Promise<void>;
}

/** `postgres://…` opens (and migrates) the team store; anything else is an embedded store's folder. */
export async function openServerStore(options: { dir: string; store?: string | undefined; poolSize?: number }): Promise<ServerStore> {
  if (options.store === undefined) {
    const writer = new SqliteRunWriter(join(options.dir, DB_FILE));
    const reader = openStoreReader({ dir: options.dir });
    return {
      kind: "embedded",
      reader,
      writer,
      keys: new FileKeyStore(join(options.dir, "server", "api-keys.json")),
      root: options.dir,
      async close() {
        reader.close();
        await writer.close();
      },
    };
  }
  const pool = openPool(options.store, options.poolSize);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    kind: "postgres",
    reader: new PgReader(pool),
    writer: new PgWriter(pool),
    keys: new PgKeyStore(pool),
    root: undefined,
    close: () => pool.end(),
  };
}
