import { prepared } from "../../store/sqlite/prepared.js";
import type { RegistryDb } from "./registry-db.js";
import type { CollectionRef, VersionRecord } from "./version-record.js";

// Registry links: a version linked into a portfolio collection (no copy), with the portfolio's own index and aliases.

/** A linked version as seen through a registry collection: its path, link index and aliases. */
export function registryView(r: RegistryDb, portfolioId: number, ref: CollectionRef, versionId: number): VersionRecord {
  const link = prepared(r.db, "SELECT link_index FROM artifact_links WHERE portfolio_id = ? AND version_id = ?").get(
    portfolioId,
    versionId,
  ) as { link_index: number };
  const aliases = (
    prepared(r.db, "SELECT alias FROM artifact_aliases WHERE collection_id = ? AND version_id = ? ORDER BY alias").all(
      portfolioId,
      versionId,
    ) as { alias: string }[]
  ).map((r) => r.alias);
  return {
    ...r.versionById(versionId),
    entity: ref.entity,
    project: ref.project,
    name: ref.name,
    versionIndex: link.link_index,
    aliases,
  };
}

/** Links a version into a registry collection (no copy); returns the link's index there. */
export function linkVersion(r: RegistryDb, versionId: number, portfolio: CollectionRef, aliases: readonly string[]): number {
  return r.transaction(() => {
    const version = r.versionById(versionId);
    const collection = r.ensureCollection(portfolio, version.type, "portfolio");
    const existing = prepared(r.db, "SELECT link_index FROM artifact_links WHERE portfolio_id = ? AND version_id = ?").get(
      collection,
      versionId,
    ) as { link_index: number } | undefined;
    let index = existing?.link_index;
    if (index === undefined) {
      index = (
        prepared(r.db, "SELECT COALESCE(MAX(link_index), -1) + 1 AS n FROM artifact_links WHERE portfolio_id = ?").get(collection) as {
          n: number;
        }
      ).n;
      prepared(r.db, "INSERT INTO artifact_links (portfolio_id, link_index, version_id, created_at) VALUES (?, ?, ?, ?)").run(
        collection,
        index,
        versionId,
        Date.now() / 1000,
      );
      r.setAlias(collection, "latest", versionId);
    }
    for (const alias of aliases) r.setAlias(collection, alias, versionId);
    return index;
  });
}
