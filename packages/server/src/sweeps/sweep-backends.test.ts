import { Api, agent, init, sweep } from "@runlog/core";
import { OnlineSweepBackend, type SweepBackend, type TakeResult } from "@runlog/core/store-kit";
import { describeSweepBackendContract, grid, type SweepStoreUnderTest } from "@runlog/core/testing";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { type RunlogServer, serve } from "../index.js";
import { PgReader } from "../postgres/pg-reader.js";
import { PgSweepBackend } from "./pg-sweep-backend.js";

let postgres: TestPostgres;
const servers: RunlogServer[] = [];
const pools: pg.Pool[] = [];
let databases = 0;

beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(async () => {
  for (const pool of pools.splice(0)) await pool.end();
  for (const server of servers.splice(0)) await server.close();
  await postgres?.stop();
});

/** A server on a fresh store; `store` is the PostgreSQL database's URL. */
async function startServer(kind: "postgres" | "embedded"): Promise<{ server: RunlogServer; store: string }> {
  const store = kind === "postgres" ? await postgres.createDatabase(`sweeps_${++databases}`) : "";
  const server = await serve({ ...(store ? { store } : {}), port: 0, dir: tempRoot() });
  servers.push(server);
  return { server, store };
}

/** A store under test whose runs are online runs logged through `server` (as agents' trials are). */
function storeOver(server: RunlogServer, backend: () => SweepBackend): SweepStoreUnderTest {
  return {
    backend,
    async logRun(where, runId, key, values, end) {
      const run = await init({
        dir: tempRoot(),
        reinit: "create_new",
        ...where,
        id: runId,
        mode: "online",
        baseUrl: server.url,
        settings: QUIET,
      });
      for (const value of values) run.log({ [key]: value });
      if (end) {
        await run.finish();
        return { finish: async () => {} };
      }
      // The run's first batch reaches the server on its own schedule: wait until the store has its history.
      await vi.waitFor(
        async () => {
          const stored = await server.store.reader.getRun(where.entity, where.project, runId);
          expect(stored?.lastStep).toBe(values.length - 1);
        },
        { timeout: 20_000 },
      );
      return { finish: () => run.finish() };
    },
  };
}

/** Each call another agent on its own connection pool, straight on the database. */
function pgAgent(url: string): PgSweepBackend {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pools.push(pool);
  return new PgSweepBackend(pool, new PgReader(pool));
}

describeSweepBackendContract("PostgreSQL", async () => {
  const { server, store } = await startServer("postgres");
  return storeOver(server, () => pgAgent(store));
});

for (const kind of ["embedded", "postgres"] as const) {
  describeSweepBackendContract(`the server's routes over ${kind === "postgres" ? "PostgreSQL" : "the embedded store"}`, async () => {
    const { server } = await startServer(kind);
    return storeOver(server, () => new OnlineSweepBackend(server.url, undefined));
  });
}

describe("PostgreSQL trial hand-out under the sweep row's lock", () => {
  it("24 agents taking at once on their own connections never get the same grid point", async () => {
    const { store: url } = await startServer("postgres");
    const agents = Array.from({ length: 24 }, () => pgAgent(url));
    const sweep = await (agents[0] as PgSweepBackend).createSweep({ entity: "lab", project: "tune", config: grid(6, 4) });
    // Every agent holds an open connection first, so the 24 transactions truly overlap.
    await Promise.all(agents.map((agent) => agent.getSweep(sweep)));
    const taken = await Promise.all(agents.map((agent, i) => agent.takeTrial(sweep, { agentId: `agent-${i}`, leaseSeconds: 60 })));
    const points = taken.map((result: TakeResult) => (result.kind === "trial" ? JSON.stringify(result.trial.params) : result.kind));
    expect(new Set(points).size).toBe(24);
    expect(await (agents[5] as PgSweepBackend).takeTrial(sweep, { agentId: "late", leaseSeconds: 60 })).toMatchObject({ kind: "done" });
    const seqs = new pg.Client({ connectionString: url });
    await seqs.connect();
    try {
      const { rows } = await seqs.query("SELECT COUNT(*)::int AS n, COUNT(DISTINCT seq)::int AS seqs FROM sweep_trials");
      expect(rows[0]).toEqual({ n: 24, seqs: 24 });
    } finally {
      await seqs.end();
    }
  });
});

describe("sweep() and agent() in TypeScript, online", () => {
  it("create the sweep on the server and run its trials there, the trials' runs logged online with their configs", async () => {
    const { server } = await startServer("postgres");
    const online = { mode: "online", baseUrl: server.url } as const;
    const id = await sweep(
      { method: "grid", parameters: { lr: { values: [0.1, 0.01, 0.001] } } },
      { ...online, entity: "lab", project: "ts" },
    );
    await agent(id, {
      ...online,
      dir: tempRoot(),
      fn: async () => {
        const run = await init({ settings: QUIET });
        run.log({ loss: Number(run.config.lr) });
        await run.finish();
      },
    });
    const trials = await server.store.sweeps.listTrials({ entity: "lab", project: "ts", id });
    expect(trials.map((t) => [t.params.lr, t.state])).toEqual([
      [0.1, "finished"],
      [0.01, "finished"],
      [0.001, "finished"],
    ]);
    const api = new Api({ baseUrl: server.url });
    try {
      const runs = await api.runs("lab/ts");
      expect(runs.map((run) => [run.id, run.config.lr, run.sweepId]).sort()).toEqual(trials.map((t) => [t.runId, t.params.lr, id]).sort());
    } finally {
      api.close();
    }
  });
});
