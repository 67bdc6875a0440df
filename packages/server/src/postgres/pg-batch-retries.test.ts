import { type DecodedRecord, encodeFrames, scanFrames } from "@runlog/core/store-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPostgres } from "../dev/local-postgres.js";
import { type PgInstances, pgInstances, startCluster } from "../test-support/pg-instances.js";
import { PgReader } from "./pg-reader.js";
import { migrate } from "./pg-schema.js";
import { type BatchStep, PgWriter, type PgWriterOptions } from "./pg-writer.js";

// A client retries a batch it saw no answer for, at whichever instance the balancer picks. Two
// PgWriters on two pools are two instances of one database; hooks at each step of a batch's
// transaction force the orders: the retry after the first commit, during it (PostgreSQL must make
// it wait on the run row, seen in pg_stat_activity), and after the first failed mid-transaction
// (its backend killed). Every record applies exactly once: alerts (one row each) and series
// points (counted in series_chunks) show a double apply or a lost one.
// The same hooks race a dashboard edit of tags and notes (PgWriter.editRun on B) against a batch:
// neither loses the other's fields, and a rename that re-sends the run's old tags keeps the edit.

let postgres: TestPostgres;
let databases = 0;
const open: PgInstances[] = [];
beforeAll(async () => {
  postgres = await startCluster();
});
afterAll(async () => {
  for (const instances of open.splice(0)) await instances.close();
  await postgres?.stop();
});

type FramePart = Parameters<typeof encodeFrames>[0][number];
const address = { entity: "e", project: "p", id: "retried" };
const runPart = (seq: number): FramePart => ({
  kind: "run",
  header: {
    seq,
    t: 1000,
    entity: "e",
    project: "p",
    id: "retried",
    name: "retried",
    tags: [],
    startTime: 1,
    crashTimeout: 300,
    attempt: 0,
  },
});
const alertPart = (seq: number): FramePart => ({
  kind: "alert",
  header: { seq, t: 1000 + seq, title: `alert ${seq}`, text: "x", level: "INFO", waitDuration: 0 },
});
/** One point of `key` at `step` (the frame layout with one steps array per column). */
const pointPart = (seq: number, key: string, step: number): FramePart => ({
  kind: "history",
  header: { seq, t: 1000 + seq, stream: "history", keys: [key], counts: [1], rows: [], lastStep: step },
  body: [new Float64Array([step]), new Float64Array([step / 10])],
});
const batch = (parts: FramePart[]): DecodedRecord[] => scanFrames(encodeFrames(parts)).records;

/** seq 1–4: opens the run, an alert, two points of "loss". */
const OPENING = batch([runPart(1), alertPart(2), pointPart(3, "loss", 0), pointPart(4, "loss", 1)]);
/** seq 5–7: a new key, another alert, another loss point. */
const NEXT = batch([pointPart(5, "acc", 2), alertPart(6), pointPart(7, "loss", 2)]);

async function stored(instances: PgInstances) {
  const alerts = await instances.admin.query<{ title: string }>("SELECT title FROM alerts ORDER BY id");
  const points = await instances.admin.query<{ key: string; n: number }>(
    "SELECT k.key, SUM(c.count)::int AS n FROM series_chunks c JOIN series_keys k ON k.id = c.key_id GROUP BY k.key ORDER BY k.key",
  );
  const runs = await instances.admin.query<{ applied_seq: number }>("SELECT applied_seq::int AS applied_seq FROM runs");
  return {
    alerts: alerts.rows.map((r) => r.title),
    points: Object.fromEntries(points.rows.map((r) => [r.key, r.n])),
    appliedSeq: runs.rows.map((r) => r.applied_seq),
  };
}

async function setUp(hooks: { A?: PgWriterOptions; B?: PgWriterOptions } = {}) {
  const instances = await pgInstances(postgres, `retries_${++databases}`);
  open.push(instances);
  return { instances, writers: { A: new PgWriter(instances.pools.A, hooks.A), B: new PgWriter(instances.pools.B, hooks.B) } };
}

/** Kills the backend serving `client`'s transaction: a real mid-transaction failure (a crash, a lost connection). */
async function killBackend(instances: PgInstances, client: import("pg").PoolClient): Promise<void> {
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  await instances.admin.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
}

describe("PostgreSQL batch retries across two instances", () => {
  it("retried on the other instance after the first committed: nothing applies twice, and the next batch follows", async () => {
    const { instances, writers } = await setUp();
    expect(await writers.A.apply(address, OPENING)).toBe(4);
    expect(await writers.B.apply(address, OPENING)).toBe(4);
    expect(await writers.B.apply(address, [...OPENING.slice(2), ...NEXT])).toBe(7); // an overlapping retry
    expect(await writers.A.apply(address, NEXT)).toBe(7);
    expect(await stored(instances)).toEqual({ alerts: ["alert 2", "alert 6"], points: { acc: 1, loss: 3 }, appliedSeq: [7] });
  });

  for (const [first, second] of [
    ["A", "B"],
    ["B", "A"],
  ] as const) {
    for (const step of ["locked", "applied"] as BatchStep[]) {
      for (const opened of [false, true]) {
        it(`retried on ${second} while ${first} holds it at "${step}" (${opened ? "existing" : "new"} run): ${second} waits, then skips it`, async () => {
          let retry: Promise<number> | undefined;
          let retrySettled = false;
          const records = opened ? NEXT : OPENING;
          const hook: PgWriterOptions = {
            onStep: async (at) => {
              if (at !== step || retry !== undefined || !armed) return;
              retry = writers[second].apply(address, records).finally(() => {
                retrySettled = true;
              });
              await instances.waitingOnLock(second, () => retrySettled);
            },
          };
          let armed = false;
          const { instances, writers } = await setUp({ [first]: hook });
          if (opened) await writers[second].apply(address, OPENING);
          armed = true;
          const applied = await writers[first].apply(address, records);
          expect([applied, await (retry as Promise<number>)]).toEqual(opened ? [7, 7] : [4, 4]);
          expect(await stored(instances)).toEqual(
            opened
              ? { alerts: ["alert 2", "alert 6"], points: { acc: 1, loss: 3 }, appliedSeq: [7] }
              : { alerts: ["alert 2"], points: { loss: 2 }, appliedSeq: [4] },
          );
        });
      }
    }
  }

  for (const opened of [false, true]) {
    it(`retried on B after A failed mid-transaction (${opened ? "existing" : "new"} run): applied once, and A's next batch still works`, async () => {
      let failing = true;
      const { instances, writers } = await setUp({
        A: {
          onStep: async (at, client) => {
            if (at === "applied" && failing) await killBackend(instances, client);
          },
        },
      });
      const FOLLOWING = batch([pointPart(8, "acc", 3), alertPart(9)]);
      if (opened) {
        failing = false;
        await writers.A.apply(address, OPENING);
        failing = true;
      }
      const records = opened ? NEXT : OPENING;
      await expect(writers.A.apply(address, records)).rejects.toThrow();
      failing = false;
      expect(await writers.B.apply(address, records)).toBe(opened ? 7 : 4);
      if (!opened) expect(await writers.B.apply(address, NEXT)).toBe(7);
      // A's failed transaction created series keys that were rolled back: it must not reuse their ids.
      expect(await writers.A.apply(address, FOLLOWING)).toBe(9);
      expect(await stored(instances)).toEqual({
        alerts: ["alert 2", "alert 6", "alert 9"],
        points: { acc: 2, loss: 3 },
        appliedSeq: [9],
      });
    });
  }

  it("A fails mid-transaction while B's retry waits for the run row: B then applies the batch once", async () => {
    let retry: Promise<number> | undefined;
    let retrySettled = false;
    const { instances, writers } = await setUp({
      A: {
        onStep: async (at, client) => {
          if (at !== "applied" || retry !== undefined) return;
          retry = writers.B.apply(address, OPENING).finally(() => {
            retrySettled = true;
          });
          await instances.waitingOnLock("B", () => retrySettled);
          await killBackend(instances, client);
        },
      },
    });
    await expect(writers.A.apply(address, OPENING)).rejects.toThrow();
    expect(await (retry as Promise<number>)).toBe(4);
    expect(await stored(instances)).toEqual({ alerts: ["alert 2"], points: { loss: 2 }, appliedSeq: [4] });
  });
});

/** A run record renaming the run and re-sending tags (what `run.name = …` sends), and a summary update. */
const describedPart = (seq: number, name: string, tags: string[]): FramePart => ({
  kind: "run",
  header: { seq, t: 1000 + seq, ...address, name, tags, notes: "run notes", startTime: 1, crashTimeout: 300, attempt: 0 },
});
const summaryPart = (seq: number, loss: number): FramePart => ({
  kind: "summary",
  header: { seq, t: 1000 + seq, set: { loss }, delete: [] },
});

describe("PostgreSQL dashboard edits racing a run's batches", () => {
  const open = async (hooks: { A?: PgWriterOptions } = {}) => {
    const { instances, writers } = await setUp(hooks);
    await writers.A.apply(address, batch([describedPart(1, "retried", ["from-run"]), summaryPart(2, 1)]));
    const reader = new PgReader(instances.pools.B);
    const stored = async () => {
      const view = await reader.getRun(address.entity, address.project, address.id);
      return { name: view?.name, tags: view?.tags, notes: view?.notes, summary: view?.summary };
    };
    return { instances, writers, reader, stored };
  };
  const EDIT = { tags: ["edited"], notes: "dashboard notes" };
  const RENAMED = batch([describedPart(3, "renamed", ["from-run"]), summaryPart(4, 0.5)]);

  it("an edit while a batch holds the run row waits for it, then applies over it; both keep their fields", async () => {
    let edit: Promise<unknown> | undefined;
    let settled = false;
    let armed = false;
    const { instances, writers, stored } = await open({
      A: {
        onStep: async (at) => {
          if (at !== "locked" || edit !== undefined || !armed) return;
          edit = writers.B.editRun(address, EDIT).finally(() => {
            settled = true;
          });
          await instances.waitingOnLock("B", () => settled);
        },
      },
    });
    armed = true;
    await writers.A.apply(address, RENAMED);
    await edit;
    expect(await stored()).toEqual({ name: "renamed", ...EDIT, summary: { loss: 0.5 } });
  });

  it("an edit between batches survives the run's later rename and summary; tags the run sets itself win after it", async () => {
    const { writers, reader, stored } = await open();
    const listed = async () => (await reader.listRuns(address.entity, address.project))[0]?.tags;
    expect(await listed()).toEqual(["from-run"]); // cached by the reader from here on
    await writers.B.editRun(address, EDIT);
    expect(await listed()).toEqual(["edited"]);
    await writers.A.apply(address, RENAMED);
    expect(await stored()).toEqual({ name: "renamed", ...EDIT, summary: { loss: 0.5 } });
    await writers.A.apply(address, batch([describedPart(5, "renamed", ["set-by-run"])]));
    expect(await stored()).toMatchObject({ tags: ["set-by-run"], notes: EDIT.notes });
    expect(await writers.B.editRun({ ...address, id: "missing" }, { notes: "x" })).toBeUndefined();
  });

  it("a database from before (migration 6) starts each run from its stored tags and notes: the first edit already survives a rename", async () => {
    const { instances, writers, stored } = await open();
    await instances.admin.query(
      "ALTER TABLE runs DROP COLUMN described, DROP COLUMN edits; DROP TABLE artifact_drafts; DELETE FROM runlog_migrations WHERE version >= 7",
    );
    await migrate(instances.pools.A);
    await writers.B.editRun(address, { tags: ["edited"] });
    await writers.A.apply(address, RENAMED);
    expect(await stored()).toMatchObject({ name: "renamed", tags: ["edited"], notes: "run notes" });
  });
});
