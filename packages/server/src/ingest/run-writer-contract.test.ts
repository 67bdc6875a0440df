import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DB_FILE } from "@runlog/core/store-kit";
import { describeRunWriterContract } from "@runlog/core/testing";
import type { Pool } from "pg";
import { afterAll, beforeAll } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { openPool } from "../postgres/pg-pool.js";
import { migrate } from "../postgres/pg-schema.js";
import { PgWriter } from "../postgres/pg-writer.js";
import { SqliteRunWriter } from "./sqlite-run-writer.js";

let postgres: TestPostgres;
const pools: Pool[] = [];
const folders: string[] = [];
let databases = 0;

beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.end();
  await postgres?.stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describeRunWriterContract("embedded SQLite (SqliteRunWriter)", async () => {
  const folder = mkdtempSync(join(tmpdir(), "runlog-writer-"));
  folders.push(folder);
  return new SqliteRunWriter(join(folder, DB_FILE));
});

describeRunWriterContract("PostgreSQL (PgWriter)", async () => {
  const pool = openPool(await postgres.createDatabase(`writer_${++databases}`), 2);
  pools.push(pool);
  await migrate(pool);
  return new PgWriter(pool);
});
