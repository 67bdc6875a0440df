import type Database from "better-sqlite3";
import { RunlogError } from "../../errors.js";
import { guarded, verifyText } from "../../store/sqlite/checksums.js";
import { openDatabase, withBusyRetry } from "../../store/sqlite/database.js";
import { prepared } from "../../store/sqlite/prepared.js";
import { type CollectionRef, VERSION_SELECT, type VersionRecord, type VersionRow, versionRecordOf } from "./version-record.js";

/**
 * The artifact tables of runlog.db and what every part of the registry shares: one IMMEDIATE
 * transaction per change, collections, aliases and reading a version back (checksummed).
 */
/** The critical steps of committing a version, in order (the commit follows "inserted"). */
export type CommitStep = "locked" | "numbered" | "inserted";

export interface RegistryOptions {
  /** Test hook: called at each critical step of a version commit, inside its transaction. */
  readonly onStep?: (step: CommitStep) => void;
  /** How long to wait for another writer's lock (default 10 minutes); 0 makes a held lock fail at once. */
  readonly busyWaitMs?: number;
}

export class RegistryDb {
  readonly db: Database.Database;
  readonly onStep: (step: CommitStep) => void;
  readonly #busyWaitMs: number | undefined;

  constructor(dbPath: string, options: RegistryOptions = {}) {
    this.db = openDatabase(dbPath);
    this.onStep = options.onStep ?? (() => {});
    this.#busyWaitMs = options.busyWaitMs;
    if (this.#busyWaitMs !== undefined && this.#busyWaitMs < 10_000)
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.#busyWaitMs))}`);
  }

  /** Runs `fn` in one IMMEDIATE transaction (nested calls join it). */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return withBusyRetry(() => this.db.transaction(fn).immediate(), this.#busyWaitMs);
  }

  /** A version by its id; throws ARTIFACT_NOT_FOUND when there is none. */
  versionById(id: number): VersionRecord {
    const row = prepared(this.db, `${VERSION_SELECT} WHERE v.id = ?`).get(id) as VersionRow | undefined;
    if (row === undefined) throw new RunlogError("ARTIFACT_NOT_FOUND", `No artifact version with id ${id}.`);
    return this.toRecord(row);
  }

  /** A stored version as readers see it; damaged metadata, tags or manifest text is STORE_CORRUPT, never served. */
  toRecord(row: VersionRow & { json_crc?: number | null }): VersionRecord {
    verifyText(this.db.name, row.json_crc ?? null, [row.metadata, row.tags, row.manifest], () => {
      return `the manifest of artifact ${row.entity}/${row.project}/${row.name}:v${row.version_index}`;
    });
    const aliases = (
      prepared(
        this.db,
        "SELECT alias FROM artifact_aliases WHERE version_id = ? AND collection_id = (SELECT collection_id FROM artifact_versions WHERE id = ?) ORDER BY alias",
      ).all(row.id, row.id) as { alias: string }[]
    ).map((r) => r.alias);
    return guarded(this.db.name, () => versionRecordOf(row, aliases));
  }

  /** A collection's id and kind, or undefined when nothing of that name was logged. */
  findCollection(ref: CollectionRef): { id: number; kind: string } | undefined {
    return prepared(this.db, "SELECT id, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
      ref.entity,
      ref.project,
      ref.name,
    ) as { id: number; kind: string } | undefined;
  }

  /** The collection's id, created on first use; one name holds one artifact type. */
  ensureCollection(ref: CollectionRef, type: string, kind: "sequence" | "portfolio"): number {
    const existing = prepared(this.db, "SELECT id, type, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
      ref.entity,
      ref.project,
      ref.name,
    ) as { id: number; type: string; kind: string } | undefined;
    if (existing !== undefined) {
      if (existing.type !== type) {
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `Artifact ${ref.entity}/${ref.project}/${ref.name} has type "${existing.type}"; cannot add a version of type "${type}". Use another name.`,
        );
      }
      return existing.id;
    }
    return Number(
      prepared(this.db, "INSERT INTO artifact_collections (entity, project, name, type, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)").run(
        ref.entity,
        ref.project,
        ref.name,
        type,
        kind,
        Date.now() / 1000,
      ).lastInsertRowid,
    );
  }

  /** Points `alias` at a version of a collection, moving it from any other version. */
  setAlias(collection: number, alias: string, versionId: number): void {
    prepared(
      this.db,
      "INSERT INTO artifact_aliases (collection_id, alias, version_id) VALUES (?, ?, ?) ON CONFLICT (collection_id, alias) DO UPDATE SET version_id = excluded.version_id",
    ).run(collection, alias, versionId);
  }
}
