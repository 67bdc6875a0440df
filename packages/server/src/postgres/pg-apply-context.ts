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
  readonly keyIds: BatchKeyIds;
}

/**
 * Series key ids by (run, stream, key). Ids never change once committed, so the cache is shared
 * across batches; a batch sees it through `batch()` and adds what it created only after its
 * transaction committed (an id from a rolled-back insert names no row: reusing it broke every
 * later batch of that key on this instance with a foreign-key violation).
 */
export class KeyIdCache {
  private readonly ids = new Map<string, number>();

  batch(): BatchKeyIds {
    return new BatchKeyIds(this.ids);
  }
}

/** One batch's view of the key ids: the committed cache plus what this transaction created. */
export class BatchKeyIds {
  private readonly staged = new Map<string, number>();

  constructor(private readonly committed: Map<string, number>) {}

  async resolve(client: PoolClient, runPk: number, stream: string, keys: readonly string[]): Promise<number[]> {
    const prefix = `${runPk}\u0000${stream}\u0000`;
    const known = (key: string) => this.committed.get(prefix + key) ?? this.staged.get(prefix + key);
    const missing = keys.filter((key) => known(key) === undefined);
    if (missing.length > 0) {
      await client.query("INSERT INTO series_keys (run_pk, stream, key) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING", [
        runPk,
        stream,
        missing,
      ]);
      const { rows } = await client.query<{ id: number; key: string }>(
        "SELECT id, key FROM series_keys WHERE run_pk = $1 AND stream = $2 AND key = ANY($3::text[])",
        [runPk, stream, missing],
      );
      for (const row of rows) this.staged.set(prefix + row.key, row.id);
    }
    return keys.map((key) => known(key) as number);
  }

  /** Called once the batch's transaction committed: its ids now name rows every instance sees. */
  commit(): void {
    if (this.committed.size + this.staged.size > 200_000) this.committed.clear();
    for (const [key, id] of this.staged) this.committed.set(key, id);
  }
}
