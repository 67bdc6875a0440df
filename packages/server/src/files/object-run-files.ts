import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { ObjectStore } from "@runlog/core/store-kit";
import type { Pool } from "pg";
import type { RunAddress } from "../ingest/run-writer.js";
import { type RunFileStore, receive } from "./run-files.js";

/**
 * Files of runs in the team store: the content in the object store (S3 or a folder), which run
 * file holds which object in PostgreSQL. Identical media across runs are stored once.
 */
export class ObjectRunFiles implements RunFileStore {
  constructor(
    private readonly pool: Pool,
    private readonly objects: ObjectStore,
    private readonly tempDir: string,
  ) {}

  async save(address: RunAddress, path: string, source: Readable, maxBytes: number) {
    const temp = join(this.tempDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    try {
      const received = await receive(source, temp, maxBytes);
      await this.objects.put(temp);
      await this.pool.query(
        `INSERT INTO run_file_objects (entity, project, run_id, path, sha256, size, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (entity, project, run_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, updated_at = excluded.updated_at`,
        [address.entity, address.project, address.id, path, received.sha256, received.size, Date.now() / 1000],
      );
      return received;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  async open(address: RunAddress, path: string, offset: number) {
    const { rows } = await this.pool.query<{ sha256: string }>(
      "SELECT sha256 FROM run_file_objects WHERE entity = $1 AND project = $2 AND run_id = $3 AND path = $4",
      [address.entity, address.project, address.id, path],
    );
    const row = rows[0];
    return row === undefined ? undefined : this.objects.open(row.sha256, offset);
  }
}
