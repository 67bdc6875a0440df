import { RunlogError } from "@runlog/core";
import {
  type CollectionRef,
  type CommitRequest,
  type ManifestEntry,
  type ObjectStore,
  type VersionRecord,
  type VersionRow,
  versionRecordOf,
} from "@runlog/core/store-kit";
import type { Pool, PoolClient } from "pg";
import { inTransaction, withClient } from "../postgres/pg-pool.js";
import { type ObjectGrants, PgObjectGrants } from "./object-grants.js";
import { takeDraftIn, upsertDraftIn } from "./pg-artifact-drafts.js";
import {
  type CollectionSummary,
  type DraftCommit,
  draftCommitRequest,
  type LineageGraph,
  type LineageStart,
  type ServerArtifacts,
} from "./server-artifacts.js";

const VERSION_SELECT = `SELECT v.*, c.entity, c.project, c.name, c.type FROM artifact_versions v
  JOIN artifact_collections c ON c.id = v.collection_id`;

/**
 * The artifact registry in PostgreSQL, with the embedded registry's rules: a version per distinct
 * content digest, `latest` always moving, aliases unique per collection, registry collections that
 * link versions without copying, lineage by run path. A commit or link locks its collection row,
 * so two instances never hand out the same version index.
 */
/** The critical steps of a version commit, inside its transaction (reading the next index and inserting are one statement here). */
export type PgCommitStep = "locked" | "inserted";

export interface PgRegistryOptions {
  /** Test hook, awaited at each step of a commit: forces the orders two instances can take. */
  readonly onStep?: (step: PgCommitStep) => Promise<void> | void;
}

export class PgArtifactRegistry implements ServerArtifacts {
  readonly grants: ObjectGrants;

  constructor(
    private readonly pool: Pool,
    readonly objects: ObjectStore,
    private readonly options: PgRegistryOptions = {},
  ) {
    this.grants = new PgObjectGrants(pool);
  }

  async commit(request: CommitRequest): Promise<{ version: VersionRecord; created: boolean }> {
    return this.transaction((client) => this.commitIn(client, request));
  }

  async upsertDraft(ref: CollectionRef, distributedId: string, type: string, contents: Readonly<Record<string, ManifestEntry>>) {
    await this.transaction((client) => upsertDraftIn(client, ref, distributedId, type, contents));
  }

  /** Takes the draft and commits it in one transaction: a failed commit leaves the draft as it was. */
  async finishDraft(request: DraftCommit, distributedId: string, contents: Readonly<Record<string, ManifestEntry>>) {
    return this.transaction(async (client) => {
      const merged = { ...(await takeDraftIn(client, request, distributedId)), ...contents };
      return this.commitIn(client, draftCommitRequest(request, merged, distributedId));
    });
  }

  async collections(entity: string, project: string): Promise<CollectionSummary[]> {
    return this.withClient(async (client) => {
      const { rows } = await client.query<CollectionSummary>(
        `SELECT c.name, c.type, c.kind,
           (CASE c.kind WHEN 'portfolio' THEN (SELECT COUNT(*) FROM artifact_links l WHERE l.portfolio_id = c.id)
                        ELSE (SELECT COUNT(*) FROM artifact_versions v WHERE v.collection_id = c.id) END)::int AS versions
         FROM artifact_collections c WHERE c.entity = $1 AND c.project = $2 ORDER BY c.name COLLATE "C"`,
        [entity, project],
      );
      return rows;
    });
  }

  private async commitIn(client: PoolClient, request: CommitRequest): Promise<{ version: VersionRecord; created: boolean }> {
    const collection = await ensureCollection(client, request, request.type, "sequence");
    await this.options.onStep?.("locked");
    const { rows: existing } = await client.query<{ id: number }>(
      "SELECT id FROM artifact_versions WHERE collection_id = $1 AND digest = $2 ORDER BY version_index DESC LIMIT 1",
      [collection, request.digest],
    );
    let versionId = existing[0]?.id;
    if (versionId === undefined) {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO artifact_versions (collection_id, version_index, digest, description, metadata, tags, manifest, size, file_count, created_by, created_at)
         SELECT $1, COALESCE(MAX(version_index), -1) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM artifact_versions WHERE collection_id = $1
         RETURNING id`,
        [
          collection,
          request.digest,
          request.description ?? null,
          JSON.stringify(request.metadata),
          JSON.stringify(request.tags),
          JSON.stringify(request.manifest),
          request.size,
          request.fileCount,
          request.runPath ?? null,
          Date.now() / 1000,
        ],
      );
      versionId = (rows[0] as { id: number }).id;
      await setAlias(client, collection, "latest", versionId);
      await this.options.onStep?.("inserted");
    }
    for (const alias of request.aliases) await setAlias(client, collection, alias, versionId);
    if (request.runPath !== undefined) await recordLineage(client, request.runPath, versionId, "output");
    return { version: await versionById(client, versionId), created: existing.length === 0 };
  }

  async resolve(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<VersionRecord> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ id: number; kind: string }>(
        "SELECT id, kind FROM artifact_collections WHERE entity = $1 AND project = $2 AND name = $3",
        [ref.entity, ref.project, ref.name],
      );
      const collection = rows[0];
      const where = `${ref.entity}/${ref.project}/${ref.name}:${alias}`;
      if (collection === undefined) {
        throw new RunlogError(
          "ARTIFACT_NOT_FOUND",
          `Artifact ${where} was not found: no artifact of that name was logged in ${ref.entity}/${ref.project}.`,
        );
      }
      const numbered = /^v(\d+)$/.exec(alias);
      const query = numbered
        ? collection.kind === "portfolio"
          ? { text: "SELECT version_id AS id FROM artifact_links WHERE portfolio_id = $1 AND link_index = $2", value: Number(numbered[1]) }
          : { text: "SELECT id FROM artifact_versions WHERE collection_id = $1 AND version_index = $2", value: Number(numbered[1]) }
        : { text: "SELECT version_id AS id FROM artifact_aliases WHERE collection_id = $1 AND alias = $2", value: alias };
      const { rows: found } = await client.query<{ id: number }>(query.text, [collection.id, query.value]);
      const versionId = found[0]?.id;
      if (versionId === undefined)
        throw new RunlogError("ARTIFACT_NOT_FOUND", `Artifact ${where} was not found: no version has that alias.`);
      if (runPath !== undefined) await recordLineage(client, runPath, versionId, "input");
      return collection.kind === "portfolio" ? registryView(client, collection.id, ref, versionId) : versionById(client, versionId);
    });
  }

  async link(versionId: number, portfolio: CollectionRef, aliases: readonly string[]): Promise<VersionRecord> {
    return this.transaction(async (client) => {
      const version = await versionById(client, versionId);
      const collection = await ensureCollection(client, portfolio, version.type, "portfolio");
      const { rows: existing } = await client.query<{ link_index: number }>(
        "SELECT link_index FROM artifact_links WHERE portfolio_id = $1 AND version_id = $2",
        [collection, versionId],
      );
      if (existing.length === 0) {
        await client.query(
          `INSERT INTO artifact_links (portfolio_id, link_index, version_id, created_at)
           SELECT $1, COALESCE(MAX(link_index), -1) + 1, $2, $3 FROM artifact_links WHERE portfolio_id = $1`,
          [collection, versionId, Date.now() / 1000],
        );
        await setAlias(client, collection, "latest", versionId);
      }
      for (const alias of aliases) await setAlias(client, collection, alias, versionId);
      return registryView(client, collection, portfolio, versionId);
    });
  }

  async addAliases(versionId: number, aliases: readonly string[]): Promise<VersionRecord> {
    return this.transaction(async (client) => {
      const version = await versionById(client, versionId);
      const { rows } = await client.query<{ collection_id: number }>("SELECT collection_id FROM artifact_versions WHERE id = $1", [
        version.id,
      ]);
      for (const alias of aliases) await setAlias(client, (rows[0] as { collection_id: number }).collection_id, alias, versionId);
      return versionById(client, versionId);
    });
  }

  async version(id: number): Promise<VersionRecord | undefined> {
    return this.withClient((client) =>
      versionById(client, id).catch((error) => {
        if (RunlogError.isInstance(error) && error.code === "ARTIFACT_NOT_FOUND") return undefined;
        throw error;
      }),
    );
  }

  async versions(ref: CollectionRef): Promise<VersionRecord[]> {
    return this.withClient(async (client) => {
      const { rows } = await client.query<{ id: number; kind: string }>(
        "SELECT id, kind FROM artifact_collections WHERE entity = $1 AND project = $2 AND name = $3",
        [ref.entity, ref.project, ref.name],
      );
      const collection = rows[0];
      if (collection === undefined) return [];
      if (collection.kind === "portfolio") {
        const { rows: links } = await client.query<{ version_id: number }>(
          "SELECT version_id FROM artifact_links WHERE portfolio_id = $1 ORDER BY link_index",
          [collection.id],
        );
        return Promise.all(links.map((link) => registryView(client, collection.id, ref, link.version_id)));
      }
      const { rows: versions } = await client.query<{ id: number }>(
        "SELECT id FROM artifact_versions WHERE collection_id = $1 ORDER BY version_index",
        [collection.id],
      );
      return Promise.all(versions.map((version) => versionById(client, version.id)));
    });
  }

  async runArtifacts(runPath: string, direction: "input" | "output"): Promise<VersionRecord[]> {
    return this.withClient(async (client) => {
      const { rows } = await client.query<{ version_id: number }>(
        "SELECT version_id FROM artifact_lineage WHERE run_path = $1 AND direction = $2 ORDER BY created_at, version_id",
        [runPath, direction],
      );
      return Promise.all(rows.map((row) => versionById(client, row.version_id)));
    });
  }

  /** Breadth-first over lineage edges from the run, as the embedded registry does. */
  async lineage(start: LineageStart, depth = Number.POSITIVE_INFINITY): Promise<LineageGraph> {
    return this.withClient(async (client) => {
      const runs = new Set<string>();
      const versions = new Map<number, VersionRecord>();
      const edges = new Map<string, { from: string; to: string }>();
      let frontier: LineageStart[] = [start];
      for (let hop = 0; hop <= depth && frontier.length > 0; hop++) {
        const next: typeof frontier = [];
        for (const node of frontier) {
          const isRun = "runPath" in node;
          if (isRun ? runs.has(node.runPath) : versions.has(node.versionId)) continue;
          if (isRun) runs.add(node.runPath);
          else versions.set(node.versionId, await versionById(client, node.versionId));
          const { rows } = await client.query<{ run_path: string; version_id: number; direction: string }>(
            `SELECT run_path, version_id, direction FROM artifact_lineage WHERE ${isRun ? "run_path" : "version_id"} = $1`,
            [isRun ? node.runPath : node.versionId],
          );
          for (const row of rows) {
            const run = `run:${row.run_path}`;
            const artifact = `artifact:${row.version_id}`;
            const edge = row.direction === "output" ? { from: run, to: artifact } : { from: artifact, to: run };
            edges.set(`${edge.from}>${edge.to}`, edge);
            next.push(isRun ? { versionId: row.version_id } : { runPath: row.run_path });
          }
        }
        frontier = next;
      }
      return { runs: [...runs], versions: [...versions.values()], edges: [...edges.values()] };
    });
  }

  private withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withClient(this.pool, work);
  }

  private transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}

/** The collection's id, created if needed, and locked for the rest of the transaction. */
async function ensureCollection(client: PoolClient, ref: CollectionRef, type: string, kind: "sequence" | "portfolio"): Promise<number> {
  await client.query(
    `INSERT INTO artifact_collections (entity, project, name, type, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (entity, project, name) DO NOTHING`,
    [ref.entity, ref.project, ref.name, type, kind, Date.now() / 1000],
  );
  const { rows } = await client.query<{ id: number; type: string }>(
    "SELECT id, type FROM artifact_collections WHERE entity = $1 AND project = $2 AND name = $3 FOR UPDATE",
    [ref.entity, ref.project, ref.name],
  );
  const collection = rows[0] as { id: number; type: string };
  if (collection.type !== type) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Artifact ${ref.entity}/${ref.project}/${ref.name} has type "${collection.type}"; cannot add a version of type "${type}". Use another name.`,
    );
  }
  return collection.id;
}

async function setAlias(client: PoolClient, collection: number, alias: string, versionId: number): Promise<void> {
  await client.query(
    `INSERT INTO artifact_aliases (collection_id, alias, version_id) VALUES ($1, $2, $3)
     ON CONFLICT (collection_id, alias) DO UPDATE SET version_id = excluded.version_id`,
    [collection, alias, versionId],
  );
}

async function recordLineage(client: PoolClient, runPath: string, versionId: number, direction: "input" | "output"): Promise<void> {
  await client.query(
    "INSERT INTO artifact_lineage (run_path, version_id, direction, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [runPath, versionId, direction, Date.now() / 1000],
  );
}

async function versionById(client: PoolClient, id: number): Promise<VersionRecord> {
  const { rows } = await client.query<VersionRow>(`${VERSION_SELECT} WHERE v.id = $1`, [id]);
  const row = rows[0];
  if (row === undefined) throw new RunlogError("ARTIFACT_NOT_FOUND", `No artifact version with id ${id}.`);
  const { rows: aliases } = await client.query<{ alias: string }>(
    "SELECT alias FROM artifact_aliases WHERE version_id = $1 AND collection_id = (SELECT collection_id FROM artifact_versions WHERE id = $1) ORDER BY alias",
    [id],
  );
  return versionRecordOf(
    row,
    aliases.map((a) => a.alias),
  );
}

/** A linked version as seen through a registry collection: its path, link index and aliases there. */
async function registryView(client: PoolClient, portfolioId: number, ref: CollectionRef, versionId: number): Promise<VersionRecord> {
  const { rows: link } = await client.query<{ link_index: number }>(
    "SELECT link_index FROM artifact_links WHERE portfolio_id = $1 AND version_id = $2",
    [portfolioId, versionId],
  );
  const { rows: aliases } = await client.query<{ alias: string }>(
    "SELECT alias FROM artifact_aliases WHERE collection_id = $1 AND version_id = $2 ORDER BY alias",
    [portfolioId, versionId],
  );
  return {
    ...(await versionById(client, versionId)),
    entity: ref.entity,
    project: ref.project,
    name: ref.name,
    versionIndex: (link[0] as { link_index: number }).link_index,
    aliases: aliases.map((a) => a.alias),
  };
}
