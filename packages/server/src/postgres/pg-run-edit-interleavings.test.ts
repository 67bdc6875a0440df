import { type DecodedRecord, encodeFrames, scanFrames } from "@runlog/core/store-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestPostgres } from "../dev/local-postgres.js";
import { type PgInstances, pgInstances, startCluster } from "../test-support/pg-instances.js";
import { PgReader } from "./pg-reader.js";
import { PgWriter, type PgWriterOptions } from "./pg-writer.js";

// A dashboard edit of tags and notes (instance B) against a live run's batch (instance A), in each
// order of their critical steps: the edit while the batch holds the run row (PostgreSQL must make
// it wait, seen in pg_stat_activity), and the edit between two batches. Neither loses the other's
// fields, and a run record that re-sends the run's old tags and notes (a rename) keeps the edit.

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
const address = { entity: "e", project: "p", id: "live" };
const runPart = (seq: number, name: string, tags: string[]): FramePart => ({
  kind: "run",
  header: { seq, t: 1000 + seq, ...address, name, tags, notes: "run notes", startTime: 1, crashTimeout: 300, attempt: 0 },
});
const summaryPart = (seq: number, value: number): FramePart => ({
  kind: "summary",
  header: { seq, t: 1000 + seq, set: { loss: value }, delete: [] },
});
const batch = (parts: FramePart[]): DecodedRecord[] => scanFrames(encodeFrames(parts)).records;

async function setUp(hooks: PgWriterOptions = {}) {
  const instances = await pgInstances(postgres, `edits_${++databases}`);
  open.push(instances);
  const run = new PgWriter(instances.pools.A, hooks);
  await run.apply(address, batch([runPart(1, "live", ["from-run"]), summaryPart(2, 1)]));
  return { instances, run, dashboard: new PgWriter(instances.pools.B), reader: new PgReader(instances.pools.B) };
}

const stored = async (reader: PgReader) => {
  const view = await reader.getRun(address.entity, address.project, address.id);
  return { name: view?.name, tags: view?.tags, notes: view?.notes, summary: view?.summary };
};

describe("dashboard edits racing a live run's batches on PostgreSQL", () => {
  it("an edit during a batch waits for the run row, then applies over it; both keep their fields", async () => {
    let instances: PgInstances | undefined;
    let edit: Promise<unknown> | undefined;
    let settled = false;
    const setup = await setUp({
      onStep: async (step) => {
        if (step !== "locked" || edit !== undefined || instances === undefined) return;
        edit = dashboard.editRun(address, { tags: ["edited"], notes: "dashboard notes" }).finally(() => {
          settled = true;
        });
        await instances.waitingOnLock("B", () => settled);
      },
    });
    instances = setup.instances;
    const { run, dashboard, reader } = setup;
    await run.apply(address, batch([runPart(3, "renamed", ["from-run"]), summaryPart(4, 0.5)]));
    await edit;
    expect(await stored(reader)).toEqual({ name: "renamed", tags: ["edited"], notes: "dashboard notes", summary: { loss: 0.5 } });
  });

  it("an edit between batches survives the run's later rename and summary; the run's own new tags win after it", async () => {
    const { run, dashboard, reader } = await setUp();
    const listed = async () => (await reader.listRuns(address.entity, address.project))[0]?.tags;
    expect(await listed()).toEqual(["from-run"]); // cached by the reader from here on
    await dashboard.editRun(address, { tags: ["edited"], notes: "dashboard notes" });
    expect(await listed()).toEqual(["edited"]);
    await run.apply(address, batch([runPart(3, "renamed", ["from-run"]), summaryPart(4, 0.5)]));
    expect(await stored(reader)).toEqual({ name: "renamed", tags: ["edited"], notes: "dashboard notes", summary: { loss: 0.5 } });
    await run.apply(address, batch([runPart(5, "renamed", ["set-by-run"])]));
    expect(await stored(reader)).toMatchObject({ tags: ["set-by-run"], notes: "dashboard notes" });
    expect(await dashboard.editRun({ ...address, id: "missing" }, { notes: "x" })).toBeUndefined();
  });
});
