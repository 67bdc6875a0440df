import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ManifestEntry, VersionRecord } from "@runlog/core/store-kit";
import type { Pool } from "pg";

/**
 * Which entity may read which stored object. Objects are stored once by SHA-256 whoever sent
 * them, so knowing a hash must not be enough: an entity reads an object only after sending its
 * bytes (proof it has them) or committing a version that names it.
 */
export interface ObjectGrants {
  grant(entity: string, sha256s: readonly string[]): Promise<void>;
  has(entity: string, sha256: string): Promise<boolean>;
}

/** The SHA-256s a manifest's stored entries name (references name none). */
export function manifestObjects(contents: Readonly<Record<string, ManifestEntry>>): string[] {
  return [...new Set(Object.values(contents).flatMap((entry) => (entry.extra?.sha256 === undefined ? [] : [entry.extra.sha256])))];
}

/**
 * Grants on the embedded store: one empty file per (entity, object) under `server/object-grants`.
 * Versions committed without the server (local runs writing to the same folder, older servers)
 * are caught up on a miss, in version-id order from where the last catch-up stopped.
 */
export class LocalObjectGrants implements ObjectGrants {
  private readonly dir: string;

  constructor(
    root: string,
    /** The versions with ids above `id`, in id order. */
    private readonly versionsAfter: (id: number) => VersionRecord[],
  ) {
    this.dir = join(root, "server", "object-grants");
  }

  private marker(entity: string, sha256: string): string {
    return join(this.dir, encodeURIComponent(entity), sha256.slice(0, 2), sha256);
  }

  async grant(entity: string, sha256s: readonly string[]): Promise<void> {
    for (const sha256 of sha256s) {
      const marker = this.marker(entity, sha256);
      if (existsSync(marker)) continue;
      mkdirSync(join(marker, ".."), { recursive: true });
      writeFileSync(marker, "");
    }
  }

  async has(entity: string, sha256: string): Promise<boolean> {
    if (existsSync(this.marker(entity, sha256))) return true;
    await this.catchUp();
    return existsSync(this.marker(entity, sha256));
  }

  /** Grants every version's objects to its entity, for versions committed since the last catch-up. */
  private async catchUp(): Promise<void> {
    const progress = join(this.dir, "versions-seen");
    const seen = existsSync(progress) ? Number(readFileSync(progress, "utf8")) || 0 : 0;
    const versions = this.versionsAfter(seen);
    for (const version of versions) await this.grant(version.entity, manifestObjects(version.manifest.contents));
    const last = versions.at(-1);
    if (last === undefined) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(progress, String(last.id));
  }
}

/** Grants in PostgreSQL (`object_grants`, filled from existing manifests by its migration). */
export class PgObjectGrants implements ObjectGrants {
  constructor(private readonly pool: Pool) {}

  async grant(entity: string, sha256s: readonly string[]): Promise<void> {
    if (sha256s.length === 0) return;
    await this.pool.query("INSERT INTO object_grants (entity, sha256) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING", [
      entity,
      sha256s,
    ]);
  }

  async has(entity: string, sha256: string): Promise<boolean> {
    const { rows } = await this.pool.query("SELECT 1 FROM object_grants WHERE entity = $1 AND sha256 = $2", [entity, sha256]);
    return rows.length > 0;
  }
}
