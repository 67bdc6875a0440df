import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../../test-support/temp-root.js";
import { createFromTemplate, openDatabase } from "./database.js";
import { migrate, SCHEMA_VERSION } from "./schema.js";

function shape(db: Database.Database) {
  return {
    schema: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all(),
    version: db.pragma("user_version", { simple: true }),
    pageSize: db.pragma("page_size", { simple: true }),
    journal: db.pragma("journal_mode", { simple: true }),
    integrity: db.pragma("integrity_check", { simple: true }),
  };
}

describe("a fresh store file", () => {
  it("written from the in-memory template is the store the migrations make on disk, in WAL mode, 16 KiB pages", () => {
    const root = tempRoot();
    const fromTemplate = openDatabase(join(root, "template.db"));
    const migrated = new Database(join(root, "migrated.db"));
    migrated.pragma("page_size = 16384");
    migrated.pragma("journal_mode = WAL");
    migrate(migrated);
    try {
      expect(shape(fromTemplate)).toEqual(shape(migrated));
      expect(shape(fromTemplate)).toMatchObject({ version: SCHEMA_VERSION, pageSize: 16384, journal: "wal", integrity: "ok" });
      // It takes writes like any store (a run row, with its checksummed columns).
      fromTemplate
        .prepare("INSERT INTO runs (entity, project, run_id, name, created_at, heartbeat_at) VALUES ('e', 'p', 'r', 'n', 1, 1)")
        .run();
      expect(fromTemplate.prepare("SELECT COUNT(*) AS n FROM runs").get()).toEqual({ n: 1 });
    } finally {
      fromTemplate.close();
      migrated.close();
    }
    expect(readdirSync(root).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("never replaces a file that exists: a store another process made first, or any other file, is left as it is", () => {
    const root = tempRoot();
    const path = join(root, "runlog.db");
    const first = openDatabase(path);
    first.prepare("INSERT INTO projects (entity, name, created_at) VALUES ('e', 'first', 1)").run();
    first.close();
    createFromTemplate(path); // as a second process racing the first would
    const again = openDatabase(path);
    try {
      expect(again.prepare("SELECT name FROM projects").all()).toEqual([{ name: "first" }]);
    } finally {
      again.close();
    }
    const other = join(root, "other.db");
    writeFileSync(other, "not a database");
    createFromTemplate(other);
    expect(() => openDatabase(other)).toThrow(expect.objectContaining({ code: "STORE_ERROR" }));
    expect(readdirSync(root).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
