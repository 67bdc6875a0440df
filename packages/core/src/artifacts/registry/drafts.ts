import { RunlogError } from "../../errors.js";
import { prepared } from "../../store/sqlite/prepared.js";
import type { ManifestEntry } from "../manifest.js";
import type { RegistryDb } from "./registry-db.js";
import type { CollectionRef } from "./version-record.js";

// Distributed drafts: files several processes add to one pending version (upsertArtifact) until one finishes it.

/** Adds files to the pending version `distributedId` of a collection (upsertArtifact). */
export function upsertDraft(
  r: RegistryDb,
  ref: CollectionRef,
  distributedId: string,
  type: string,
  contents: Readonly<Record<string, ManifestEntry>>,
): void {
  const insert = prepared(
    r.db,
    `INSERT OR REPLACE INTO artifact_drafts (entity, project, name, distributed_id, type, path, digest, size, sha256)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  r.transaction(() => {
    const other = prepared(
      r.db,
      "SELECT type FROM artifact_drafts WHERE entity = ? AND project = ? AND name = ? AND distributed_id = ? AND type <> ? LIMIT 1",
    ).get(ref.entity, ref.project, ref.name, distributedId, type) as { type: string } | undefined;
    if (other !== undefined)
      throw new RunlogError("INVALID_ARGUMENT", `Pending artifact ${ref.name} (${distributedId}) has type "${other.type}", not "${type}".`);
    for (const [path, entry] of Object.entries(contents)) {
      insert.run(ref.entity, ref.project, ref.name, distributedId, type, path, entry.digest, entry.size, entry.extra?.sha256 ?? "");
    }
  });
}

/** Takes (and deletes) every file of a pending version, inside the caller's transaction. */
export function takeDraft(r: RegistryDb, ref: CollectionRef, distributedId: string): Record<string, ManifestEntry> {
  const rows = prepared(
    r.db,
    "SELECT path, digest, size, sha256 FROM artifact_drafts WHERE entity = ? AND project = ? AND name = ? AND distributed_id = ?",
  ).all(ref.entity, ref.project, ref.name, distributedId) as { path: string; digest: string; size: number; sha256: string }[];
  prepared(r.db, "DELETE FROM artifact_drafts WHERE entity = ? AND project = ? AND name = ? AND distributed_id = ?").run(
    ref.entity,
    ref.project,
    ref.name,
    distributedId,
  );
  return Object.fromEntries(rows.map((r) => [r.path, { digest: r.digest, size: r.size, extra: { sha256: r.sha256 } }]));
}
