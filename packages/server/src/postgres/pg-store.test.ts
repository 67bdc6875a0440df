import { Api, decodeJson, init } from "@runlog/core";
import { encodeFrames, HttpReader } from "@runlog/core/store-kit";
// The contract suite the embedded store passes, run against PostgreSQL: written by online runs
// through a runlog server, read by the PostgreSQL reader and by the HTTP store over it.
import { describeStoreReaderContract } from "@runlog/core/testing";
import { tempRoot } from "@runlog/test-support/temp-root";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { type RunlogServer, serve } from "../index.js";
import { inTransaction, openPool } from "./pg-pool.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
let postgres: TestPostgres;
const servers: RunlogServer[] = [];
let databases = 0;

beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close();
  await postgres?.stop();
});

/** A fresh database behind a fresh server, as each contract case expects an empty store. */
async function freshServer(): Promise<RunlogServer> {
  const url = await postgres.createDatabase(`contract_${++databases}`);
  const server = await serve({ store: url, port: 0, dir: tempRoot() });
  servers.push(server);
  return server;
}

for (const via of ["PostgreSQL reader", "HTTP store over PostgreSQL"] as const) {
  describeStoreReaderContract(via, async () => {
    const server = await freshServer();
    const dir = tempRoot();
    return {
      init: (options) => init({ dir, reinit: "create_new", ...options, mode: "online", baseUrl: server.url, settings: QUIET }),
      reader: () => (via === "PostgreSQL reader" ? server.store.reader : new HttpReader(server.url, undefined)),
    };
  });
}

describe("PostgreSQL store", () => {
  it("migrates once when several servers start on one database at the same moment", async () => {
    const url = await postgres.createDatabase("concurrent_start");
    const started = await Promise.all(Array.from({ length: 4 }, () => serve({ store: url, port: 0, dir: tempRoot() })));
    servers.push(...started);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query("SELECT version FROM runlog_migrations ORDER BY version");
    await client.end();
    expect(rows).toEqual(Array.from({ length: 8 }, (_, i) => ({ version: i + 1 })));
    expect(await (started[3] as RunlogServer).store.reader.listProjects()).toEqual([]);
  });

  it("survives a database connection killed mid-transaction: the request fails, the server stays up", async () => {
    const url = await postgres.createDatabase("killed_backend");
    const pool = openPool(url, 2);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const doomed = inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await admin.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
        await new Promise((resolve) => setTimeout(resolve, 200)); // the connection's 'error' event fires here
        await client.query("SELECT 1");
      });
      await expect(doomed).rejects.toThrow();
      expect((await pool.query<{ x: number }>("SELECT 1 AS x")).rows[0]?.x).toBe(1);
    } finally {
      await admin.end();
      await pool.end();
    }
  });

  it("applies a retried batch once and refuses a batch that skips records (409 SEQ_GAP)", async () => {
    const server = await freshServer();
    const post = (frames: Buffer) =>
      fetch(`${server.url}/api/v1/ingest/e/p/gap/records`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: frames,
      });
    const opening = encodeFrames([
      {
        kind: "run",
        header: {
          seq: 1,
          t: 1000,
          entity: "e",
          project: "p",
          id: "gap",
          name: "gap",
          tags: [],
          startTime: 1,
          crashTimeout: 300,
          attempt: 0,
        },
      },
      { kind: "config", header: { seq: 2, t: 1000, config: { lr: 1 } } },
    ]);
    expect(await (await post(opening)).json()).toEqual({ appliedSeq: 2 });
    expect(await (await post(opening)).json()).toEqual({ appliedSeq: 2 });
    const skipping = await post(encodeFrames([{ kind: "config", header: { seq: 4, t: 1001, config: { lr: 3 } } }]));
    expect(skipping.status).toBe(409);
    expect(await skipping.json()).toMatchObject({ code: "SEQ_GAP" });
    const next = encodeFrames([{ kind: "config", header: { seq: 3, t: 1001, config: { lr: 2 } } }]);
    expect(await (await post(next)).json()).toEqual({ appliedSeq: 3 });
    expect((await server.store.reader.getRun("e", "p", "gap"))?.config).toEqual({ lr: 2 });
  });

  it("resumes, rewinds (resumeFrom) and forks (forkFrom) like the embedded store", async () => {
    const server = await freshServer();
    const dir = tempRoot();
    const online = { dir, mode: "online", baseUrl: server.url, settings: QUIET, project: "p", entity: "e" } as const;
    const first = await init({ ...online, id: "base", config: { lr: 1 } });
    for (let i = 0; i < 3000; i++) first.log({ x: i, s: i % 1000 === 0 ? `m${i}` : undefined });
    await first.finish();

    const resumed = await init({ ...online, id: "base", resume: "must" });
    expect(resumed.resumed).toBe(true);
    resumed.log({ x: 3000 });
    await resumed.finish();

    const fork = await init({ ...online, id: "child", forkFrom: "base?_step=1500" });
    fork.log({ x: -1 });
    await fork.finish();

    const rewound = await init({ ...online, resumeFrom: "base?_step=2047" });
    rewound.log({ x: 99 });
    await rewound.finish();

    const reader = server.store.reader;
    const read = async (id: string) => {
      const view = await reader.getRun("e", "p", id);
      if (view === undefined) throw new Error(`no run ${id}`);
      const infos = await reader.chunkInfos(view, "history", "x", Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
      const points = await reader.chunkPoints(
        view,
        "history",
        "x",
        infos,
        Array.from({ length: infos.length }, (_, i) => i),
      );
      return { view, steps: points.flatMap((p) => Array.from(p.steps)), values: points.flatMap((p) => Array.from(p.values)) };
    };
    const base = await read("base");
    expect(base.steps).toEqual(Array.from({ length: 2049 }, (_, i) => i));
    expect(base.values.slice(-2)).toEqual([2047, 99]);
    expect(base.view.summary.x).toBe(99);
    expect(base.view.attempts).toBe(3);
    expect((await reader.historyRows(base.view, 0, 1e9)).map(([step]) => step)).toEqual([0, 1000, 2000]);
    const child = await read("child");
    expect(child.steps).toEqual(Array.from({ length: 1502 }, (_, i) => i));
    expect(child.values.slice(-3)).toEqual([1499, 1500, -1]);
    expect(child.view.config).toEqual({ lr: 1 });
    expect(child.view.forkedFrom).toBe("base?_step=1500");
  });

  it("history pages over PostgreSQL, written straight from the chunks, hold what the Api's scanHistory yields", async () => {
    const server = await freshServer();
    const run = await init({ dir: tempRoot(), project: "pages", entity: "lab", mode: "online", baseUrl: server.url, settings: QUIET });
    for (let step = 0; step < 3_000; step++) {
      const row: Record<string, unknown> = { loss: step % 7 === 0 ? 0 : 1 / (step + 1), 'k"ey/ü': step };
      if (step % 9 === 0) row.odd = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][step % 3];
      if (step % 13 === 0) row.note = `n${step}`;
      run.log(row);
    }
    await run.finish();
    const expected: unknown[] = [];
    const api = new Api({ reader: server.store.reader });
    for await (const row of (await api.run(run.path)).scanHistory({ pageSize: 640 })) expected.push(row);
    const got: unknown[] = [];
    for (let minStep = 0; ; ) {
      const response = await fetch(`${server.url}/api/v1/runs/${run.path}/history?limit=700&minStep=${minStep}`);
      expect(response.status).toBe(200);
      got.push(...decodeJson<unknown[]>(await response.text()));
      const next = response.headers.get("x-next-min-step");
      if (next === null) break;
      minStep = Number(next);
    }
    expect(got).toHaveLength(3_000);
    expect(got).toEqual(expected);
  });
});
