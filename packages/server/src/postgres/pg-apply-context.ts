import type { PoolClient } from "pg";
import type { PgChunkBatch } from "./pg-chunks.js";
import type { RunRowDraft } from "./pg-run-row.js";

// A leaf module: the record appliers and the history surgery they call (rewind, fork) share this state.

/** State shared by the appliers while one batch for one run applies (inside its transaction). */
export interface PgApplyContext {
  readonly client: PoolClient;
  readonly run: RunRowDraft;
  readonly chunks: PgChunkBatch;
  /** True when no record of this run was applied before this batch: a fork copies its parent now. */
  readonly fresh: boolean;
  readonly keyIds: KeyIdCache;
}

/** Series key ids by (run, stream, key). Ids never change, so the cache is shared across batches. */
export class KeyIdCache {
  private readonly ids = new Map<string, number>();

  async resolve(client: PoolClient, runPk: number, stream: string, keys: readonly string[]): Promise<number[]> {
    const prefix = `${runPk}\u0000${stream}\u0000`;
    const missing = keys.filter((key) => !this.ids.has(prefix + key));
    if (missing.length > 0) {
      if (this.ids.size > 200_000) this.ids.clear();
      await client.query("INSERT INTO series_keys (run_pk, stream, key) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING", [
        runPk,
        stream,
        missing,
      ]);
      const { rows } = await client.query<{ id: number; key: string }>(
        "SELECT id, key FROM series_keys WHERE run_pk = $1 AND stream = $2 AND key = ANY($3::text[])",
        [runPk, stream, missing],
      );
      for (const row of rows) this.ids.set(prefix + row.key, row.id);
    }
    return keys.map((key) => this.ids.get(prefix + key) as number);
  }
}
