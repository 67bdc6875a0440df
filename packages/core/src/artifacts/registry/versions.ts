import { RunlogError } from "../../errors.js";
import { textChecksum } from "../../store/sqlite/checksums.js";
import { prepared } from "../../store/sqlite/prepared.js";
import { recordLineage } from "./lineage.js";
import { registryView } from "./links.js";
import type { RegistryDb } from "./registry-db.js";
import { type CollectionRef, type CommitRequest, VERSION_SELECT, type VersionRecord, type VersionRow } from "./version-record.js";

// Versions v0…vN of a collection and their aliases (unique per collection; `latest` always moves).

/** Commits a version, or returns the existing one with the same content (`created: false`). */
export function commitVersion(r: RegistryDb, request: CommitRequest): { version: VersionRecord; created: boolean } {
  return r.transaction(() => {
    r.onStep("locked");
    const collection = r.ensureCollection(request, request.type, "sequence");
    const existing = prepared(
      r.db,
      "SELECT id FROM artifact_versions WHERE collection_id = ? AND digest = ? ORDER BY version_index DESC LIMIT 1",
    ).get(collection, request.digest) as { id: number } | undefined;
    let versionId = existing?.id;
    if (versionId === undefined) {
      const next = prepared(r.db, "SELECT COALESCE(MAX(version_index), -1) + 1 AS n FROM artifact_versions WHERE collection_id = ?").get(
        collection,
      ) as { n: number };
      r.onStep("numbered");
      const json = [JSON.stringify(request.metadata), JSON.stringify(request.tags), JSON.stringify(request.manifest)] as const;
      versionId = Number(
        prepared(
          r.db,
          `INSERT INTO artifact_versions (collection_id, version_index, digest, description, metadata, tags, manifest, json_crc, size, file_count, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          collection,
          next.n,
          request.digest,
          request.description ?? null,
          ...json,
          textChecksum(...json),
          request.size,
          request.fileCount,
          request.runPath ?? null,
          Date.now() / 1000,
        ).lastInsertRowid,
      );
      r.setAlias(collection, "latest", versionId);
      r.onStep("inserted");
    }
    for (const alias of request.aliases) r.setAlias(collection, alias, versionId);
    if (request.runPath !== undefined) recordLineage(r, request.runPath, versionId, "output");
    return { version: r.versionById(versionId), created: existing === undefined };
  });
}

/** Resolves `alias` ("latest", "vN" or a custom alias) in a collection or a registry portfolio. */
export function resolveAlias(r: RegistryDb, ref: CollectionRef, alias: string): VersionRecord {
  const collection = prepared(r.db, "SELECT id, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
    ref.entity,
    ref.project,
    ref.name,
  ) as { id: number; kind: string } | undefined;
  const where = `${ref.entity}/${ref.project}/${ref.name}:${alias}`;
  if (collection === undefined)
    throw new RunlogError(
      "ARTIFACT_NOT_FOUND",
      `Artifact ${where} was not found: no artifact of that name was logged in ${ref.entity}/${ref.project}.`,
    );
  let versionId: number | undefined;
  const numbered = /^v(\d+)$/.exec(alias);
  if (numbered) {
    const row =
      collection.kind === "portfolio"
        ? (prepared(r.db, "SELECT version_id AS id FROM artifact_links WHERE portfolio_id = ? AND link_index = ?").get(
            collection.id,
            Number(numbered[1]),
          ) as { id: number } | undefined)
        : (prepared(r.db, "SELECT id FROM artifact_versions WHERE collection_id = ? AND version_index = ?").get(
            collection.id,
            Number(numbered[1]),
          ) as { id: number } | undefined);
    versionId = row?.id;
  } else {
    const row = prepared(r.db, "SELECT version_id AS id FROM artifact_aliases WHERE collection_id = ? AND alias = ?").get(
      collection.id,
      alias,
    ) as { id: number } | undefined;
    versionId = row?.id;
  }
  if (versionId === undefined) throw new RunlogError("ARTIFACT_NOT_FOUND", `Artifact ${where} was not found: no version has that alias.`);
  return collection.kind === "portfolio" ? registryView(r, collection.id, ref, versionId) : r.versionById(versionId);
}

/** Collections of a project with their version counts (for `runlog artifact ls`). */
export function listCollections(
  r: RegistryDb,
  entity: string,
  project: string,
): { name: string; type: string; kind: string; versions: number }[] {
  return prepared(
    r.db,
    `SELECT c.name, c.type, c.kind,
       CASE c.kind WHEN 'portfolio' THEN (SELECT COUNT(*) FROM artifact_links l WHERE l.portfolio_id = c.id)
                   ELSE (SELECT COUNT(*) FROM artifact_versions v WHERE v.collection_id = c.id) END AS versions
     FROM artifact_collections c WHERE c.entity = ? AND c.project = ? ORDER BY c.name`,
  ).all(entity, project) as { name: string; type: string; kind: string; versions: number }[];
}

/** Every version of a collection in order; for a registry collection, its links as `registryView` shows them. */
export function listVersions(r: RegistryDb, ref: CollectionRef): VersionRecord[] {
  const collection = prepared(r.db, "SELECT id, kind FROM artifact_collections WHERE entity = ? AND project = ? AND name = ?").get(
    ref.entity,
    ref.project,
    ref.name,
  ) as { id: number; kind: string } | undefined;
  if (collection?.kind === "portfolio") {
    const links = prepared(r.db, "SELECT version_id FROM artifact_links WHERE portfolio_id = ? ORDER BY link_index").all(collection.id) as {
      version_id: number;
    }[];
    return links.map((link) => registryView(r, collection.id, ref, link.version_id));
  }
  const rows = prepared(r.db, `${VERSION_SELECT} WHERE c.entity = ? AND c.project = ? AND c.name = ? ORDER BY v.version_index`).all(
    ref.entity,
    ref.project,
    ref.name,
  ) as VersionRow[];
  return rows.map((row) => r.toRecord(row));
}

/** Points `aliases` at a version (moving them from other versions of its collection). */
export function addAliases(r: RegistryDb, versionId: number, aliases: readonly string[]): VersionRecord {
  return r.transaction(() => {
    const row = prepared(r.db, "SELECT collection_id FROM artifact_versions WHERE id = ?").get(versionId) as { collection_id: number };
    for (const alias of aliases) r.setAlias(row.collection_id, alias, versionId);
    return r.versionById(versionId);
  });
}
