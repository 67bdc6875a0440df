import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Artifact, init } from "@runlog/core";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { serve } from "../index.js";
import { openPool } from "../postgres/pg-pool.js";
import { rawRequest } from "../test-support/raw-http.js";
import { sha256 } from "../test-support/seeded-server.js";

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(async () => {
  await postgres?.stop();
});

describe("object grants on PostgreSQL", () => {
  it("are filled from the manifests an older server stored, so its entity still reads them and no other does", async () => {
    const url = await postgres.createDatabase("grants_upgrade");
    const dir = tempRoot();
    const first = await serve({ store: url, dir, port: 0 });
    const run = await init({ dir: tempRoot(), mode: "online", baseUrl: first.url, entity: "lab", project: "p", settings: QUIET });
    const file = join(tempRoot(), "weights.bin");
    writeFileSync(file, "old weights");
    const artifact = new Artifact("model", "model");
    artifact.addFile(file);
    await run.logArtifact(artifact);
    await run.finish();
    await first.close();

    // As an older server left it: no grants table, its migration (4) and later ones not applied.
    const pool = openPool(url);
    await pool.query("DROP TABLE object_grants");
    await pool.query("DROP TABLE IF EXISTS workspace_layouts");
    await pool.query("DROP TABLE IF EXISTS sweep_trials");
    await pool.query("DROP TABLE IF EXISTS sweeps");
    await pool.query("ALTER TABLE runs DROP COLUMN IF EXISTS described, DROP COLUMN IF EXISTS edits");
    await pool.query("DROP TABLE IF EXISTS artifact_drafts");
    await pool.query("DELETE FROM runlog_migrations WHERE version >= 4");
    await pool.end();

    const upgraded = await serve({ store: url, dir, port: 0, requireKeys: true });
    try {
      const lab = await upgraded.store.keys.create({ entity: "lab", scope: "read" });
      const other = await upgraded.store.keys.create({ entity: "other", scope: "read" });
      const path = `/api/v1/objects/${sha256("old weights")}`;
      const own = await rawRequest(upgraded.url, { path, headers: { authorization: `Bearer ${lab.key}` } });
      expect([own.status, own.body.toString()]).toEqual([200, "old weights"]);
      expect((await rawRequest(upgraded.url, { method: "HEAD", path, headers: { authorization: `Bearer ${other.key}` } })).status).toBe(
        404,
      );
    } finally {
      await upgraded.close();
    }
  });
});
