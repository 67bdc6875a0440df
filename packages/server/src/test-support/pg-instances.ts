import pg from "pg";
import { vi } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { openPool } from "../postgres/pg-pool.js";
import { migrate } from "../postgres/pg-schema.js";

// Two "server instances" on one PostgreSQL database: each its own pool, named by application_name,
// so a test can see which instance's backend is waiting for which lock.

export interface PgInstances {
  readonly pools: { readonly A: pg.Pool; readonly B: pg.Pool };
  /** Direct SQL for assertions and for killing backends. */
  readonly admin: pg.Client;
  /** Resolves once `instance` has a backend waiting on a lock (PostgreSQL's own view, polled); rejects if `settled` first. */
  waitingOnLock(instance: "A" | "B", settled: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(): Promise<TestPostgres> {
  return startPostgres({ fsync: false });
}

export async function pgInstances(postgres: TestPostgres, database: string): Promise<PgInstances> {
  const url = await postgres.createDatabase(database);
  const pools = { A: openPool(`${url}?application_name=instance-A`, 2), B: openPool(`${url}?application_name=instance-B`, 2) };
  await migrate(pools.A);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    pools,
    admin,
    async waitingOnLock(instance, settled) {
      await vi.waitFor(
        async () => {
          if (settled()) return; // checked by the caller: it finished without waiting
          const { rows } = await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
            [`instance-${instance}`],
          );
          if ((rows[0]?.n ?? 0) === 0) throw new Error(`instance ${instance} is not waiting on a lock yet`);
        },
        { timeout: 20_000, interval: 10 },
      );
      if (settled()) throw new Error(`instance ${instance} finished while the other instance held the lock: nothing serialized them`);
    },
    async close() {
      await admin.end();
      await pools.A.end();
      await pools.B.end();
    },
  };
}
