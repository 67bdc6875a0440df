import { RunlogError } from "@runlog/core";
import type { CollectionRef, ManifestEntry } from "@runlog/core/store-kit";
import type { PoolClient } from "pg";

// Distributed drafts on PostgreSQL, as the embedded registry keeps them (core's registry/drafts.ts):
// files several runs upsert into one pending version until one finishes it.

/**
 * Serializes the writers of one draft for the rest of the transaction (upserts check its type,
 * finish takes it): an upsert lands wholly before a finish, or wholly in the next draft.
 */
async function lockDraft(client: PoolClient, ref: CollectionRef, distributedId: string): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7210414))", [
    JSON.stringify([ref.entity, ref.project, ref.name, distributedId]),
  ]);
}

/** Adds files to the pending version `distributedId`; a path upserted again takes the newer entry. */
export async function upsertDraftIn(
  client: PoolClient,
  ref: CollectionRef,
  distributedId: string,
  type: string,
  contents: Readonly<Record<string, ManifestEntry>>,
): Promise<void> {
  await lockDraft(client, ref, distributedId);
  const { rows } = await client.query<{ type: string }>(
    "SELECT type FROM artifact_drafts WHERE entity = $1 AND project = $2 AND name = $3 AND distributed_id = $4 AND type <> $5 LIMIT 1",
    [ref.entity, ref.project, ref.name, distributedId, type],
  );
  if (rows[0] !== undefined)
    throw new RunlogError("INVALID_ARGUMENT", `Pending artifact ${ref.name} (${distributedId}) has type "${rows[0].type}", not "${type}".`);
  const paths = Object.keys(contents);
  // One statement for every file: concurrent upserts of other paths never overwrite these rows.
  await client.query(
    `INSERT INTO artifact_drafts (entity, project, name, distributed_id, type, path, entry)
     SELECT $1, $2, $3, $4, $5, p.path, p.entry FROM unnest($6::text[], $7::jsonb[]) AS p(path, entry)
     ON CONFLICT (entity, project, name, distributed_id, path) DO UPDATE SET entry = excluded.entry, type = excluded.type`,
    [ref.entity, ref.project, ref.name, distributedId, type, paths, paths.map((path) => JSON.stringify(contents[path]))],
  );
}

/** Takes (and deletes) every file of a pending version, inside the caller's transaction. */
export async function takeDraftIn(client: PoolClient, ref: CollectionRef, distributedId: string): Promise<Record<string, ManifestEntry>> {
  await lockDraft(client, ref, distributedId);
  const { rows } = await client.query<{ path: string; entry: ManifestEntry }>(
    "DELETE FROM artifact_drafts WHERE entity = $1 AND project = $2 AND name = $3 AND distributed_id = $4 RETURNING path, entry",
    [ref.entity, ref.project, ref.name, distributedId],
  );
  return Object.fromEntries(rows.map((row) => [row.path, row.entry]));
}
