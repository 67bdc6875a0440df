import type { Pool } from "pg";
import { type ApiKeyInfo, checkKeyOptions, hashKey, type KeyScope, type KeyStore, newKey } from "./api-keys.js";

interface KeyRow {
  id: string;
  entity: string;
  scope: KeyScope;
  description: string;
  created_at: number;
  revoked_at: number | null;
}

const info = (row: KeyRow): ApiKeyInfo => ({
  id: row.id,
  entity: row.entity,
  scope: row.scope,
  description: row.description,
  createdAt: row.created_at,
  revokedAt: row.revoked_at ?? undefined,
});

/** API keys in the team database: every server instance sees a revocation at once. */
export class PgKeyStore implements KeyStore {
  constructor(private readonly pool: Pool) {}

  async create(options: { entity: string; scope: KeyScope; description?: string }) {
    checkKeyOptions(options);
    const { id, key } = newKey();
    const { rows } = await this.pool.query<KeyRow>(
      "INSERT INTO api_keys (id, hash, entity, scope, description, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
      [id, hashKey(key), options.entity, options.scope, options.description ?? "", Date.now() / 1000],
    );
    return { key, info: info(rows[0] as KeyRow) };
  }

  async list(): Promise<ApiKeyInfo[]> {
    const { rows } = await this.pool.query<KeyRow>("SELECT * FROM api_keys ORDER BY created_at");
    return rows.map(info);
  }

  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [
      id,
      Date.now() / 1000,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async find(key: string): Promise<ApiKeyInfo | undefined> {
    const { rows } = await this.pool.query<KeyRow>("SELECT * FROM api_keys WHERE hash = $1 AND revoked_at IS NULL", [hashKey(key)]);
    return rows[0] === undefined ? undefined : info(rows[0]);
  }

  async close(): Promise<void> {}
}
