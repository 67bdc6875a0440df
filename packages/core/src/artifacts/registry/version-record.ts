import type { Manifest } from "../manifest.js";

export interface CollectionRef {
  readonly entity: string;
  readonly project: string;
  readonly name: string;
}

/** A committed artifact version as stored. */
export interface VersionRecord {
  readonly id: number;
  readonly entity: string;
  readonly project: string;
  readonly name: string;
  readonly type: string;
  readonly versionIndex: number;
  readonly digest: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly tags: string[];
  readonly manifest: Manifest;
  readonly size: number;
  readonly fileCount: number;
  readonly createdBy: string | undefined;
  readonly createdAt: number;
  readonly aliases: string[];
}

export interface CommitRequest extends CollectionRef {
  readonly type: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly tags: readonly string[];
  readonly manifest: Manifest;
  readonly digest: string;
  readonly size: number;
  readonly fileCount: number;
  readonly aliases: readonly string[];
  readonly runPath: string | undefined;
}

/** An `artifact_versions` row joined with its collection: the same columns in SQLite and PostgreSQL. */
export interface VersionRow {
  id: number;
  entity: string;
  project: string;
  name: string;
  type: string;
  version_index: number;
  digest: string;
  description: string | null;
  metadata: string;
  tags: string;
  manifest: string;
  size: number;
  file_count: number;
  created_by: string | null;
  created_at: number;
}

/** Versions joined with their collection; callers append WHERE/ORDER BY. */
export const VERSION_SELECT = `SELECT v.*, c.entity, c.project, c.name, c.type FROM artifact_versions v
  JOIN artifact_collections c ON c.id = v.collection_id`;

/** A version row and its aliases as readers see them. */
export function versionRecordOf(row: VersionRow, aliases: string[]): VersionRecord {
  return {
    id: row.id,
    entity: row.entity,
    project: row.project,
    name: row.name,
    type: row.type,
    versionIndex: row.version_index,
    digest: row.digest,
    description: row.description ?? undefined,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    tags: JSON.parse(row.tags) as string[],
    manifest: JSON.parse(row.manifest) as Manifest,
    size: row.size,
    fileCount: row.file_count,
    createdBy: row.created_by ?? undefined,
    createdAt: row.created_at,
    aliases,
  };
}
