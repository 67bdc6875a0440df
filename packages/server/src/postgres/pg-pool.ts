import { RunlogError } from "@runlog/core";
import pg from "pg";

const INT8 = 20;

/** BIGINT columns hold run keys, steps and sequence numbers, all far below 2^53: read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A connection pool for `postgres://…` (the password is never echoed in errors). */
export function openPool(url: string, max = 10): pg.Pool {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `--store must be a postgres:// URL, got ${JSON.stringify(url.replace(/:[^:@/]*@/, ":***@").slice(0, 200))}.`,
    );
  }
  const pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection (database restart) must not crash the server.
  pool.on("error", () => {});
  return pool;
}

/**
 * Lends one pooled connection to `work`. While it is lent, the pool no longer listens for the
 * connection's errors: a database restart or a killed backend would then be an unhandled
 * 'error' event and take the whole server down. Listening here turns it into a failed request
 * (the client retries) instead.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on("error", onError);
  try {
    return await work(client);
  } finally {
    client.removeListener("error", onError);
    // A connection that failed is closed, not returned to the pool.
    client.release(lost);
  }
}

/** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query("BEGIN");
    try {
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}
