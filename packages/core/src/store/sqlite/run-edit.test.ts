import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { encodeFrames, scanFrames } from "../../pipeline/frame.js";
import type { DecodedRecord } from "../../pipeline/records.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { SqliteReader } from "./sqlite-reader.js";
import { SqliteStore } from "./sqlite-store.js";

const address = { entity: "e", project: "p", id: "r" };
const runRecord = (seq: number, fields: { name?: string; tags?: string[]; notes?: string; attempt?: number }) => ({
  kind: "run" as const,
  header: {
    seq,
    t: seq,
    ...address,
    name: fields.name ?? "r",
    tags: fields.tags ?? ["a"],
    ...(fields.notes === undefined ? {} : { notes: fields.notes }),
    startTime: 1,
    crashTimeout: 60,
    attempt: fields.attempt ?? 0,
  },
});
const apply = (store: SqliteStore, ...records: unknown[]) =>
  store.apply(scanFrames(encodeFrames(records as Parameters<typeof encodeFrames>[0])).records as DecodedRecord[]);

describe("dashboard edits of tags and notes on the embedded store", () => {
  it("survive the run's later summary, config and rename records; a run that sets new tags or notes wins", async () => {
    const path = join(tempRoot(), "runlog.db");
    const store = new SqliteStore(path);
    const reader = new SqliteReader(path);
    apply(store, runRecord(1, { notes: "from the run" }));
    expect((await reader.listRuns("e", "p"))[0]?.tags).toEqual(["a"]); // cached from here on

    const edited = store.editRun(address, { tags: ["edited", "x"], notes: "from the dashboard" });
    expect([edited?.tags, edited?.notes]).toEqual([["edited", "x"], "from the dashboard"]);
    // The list's cache sees the edit (the run's applied seq and heartbeat did not move).
    expect((await reader.listRuns("e", "p"))[0]?.tags).toEqual(["edited", "x"]);

    // The run goes on: summary, config and a rename, which re-sends its old tags and notes.
    apply(
      store,
      { kind: "summary", header: { seq: 2, t: 2, set: { loss: 0.5 }, delete: [] } },
      { kind: "config", header: { seq: 3, t: 3, config: { lr: 0.1 } } },
      runRecord(4, { name: "renamed", notes: "from the run" }),
    );
    let run = await reader.getRun("e", "p", "r");
    expect([run?.name, run?.tags, run?.notes, run?.summary, run?.config]).toEqual([
      "renamed",
      ["edited", "x"],
      "from the dashboard",
      { loss: 0.5 },
      { lr: 0.1 },
    ]);

    // The run sets its tags itself: that later change wins; its unchanged notes still leave the edit.
    apply(store, runRecord(5, { name: "renamed", tags: ["run-set"], notes: "from the run" }));
    run = await reader.getRun("e", "p", "r");
    expect([run?.tags, run?.notes]).toEqual([["run-set"], "from the dashboard"]);

    // An edit of notes alone leaves tags; "" clears the notes.
    store.editRun(address, { notes: "" });
    run = await reader.getRun("e", "p", "r");
    expect([run?.tags, run?.notes]).toEqual([["run-set"], undefined]);
    expect(store.editRun({ ...address, id: "missing" }, { tags: [] })).toBeUndefined();
    reader.close();
    store.close();
  });

  it("a store from before (schema 7) starts each run from its stored tags and notes, so the first edit already survives a rename", async () => {
    const path = join(tempRoot(), "runlog.db");
    let store = new SqliteStore(path);
    apply(store, runRecord(1, { tags: ["old"], notes: "old notes" }));
    store.close();
    const db = new Database(path);
    db.exec("ALTER TABLE runs DROP COLUMN described; ALTER TABLE runs DROP COLUMN edits");
    db.exec("DROP TABLE writer_rows; DROP TABLE run_writers"); // schema 9's (shared mode)
    db.pragma("user_version = 7");
    db.close();
    store = new SqliteStore(path); // migrates
    store.editRun(address, { tags: ["edited"] });
    apply(store, runRecord(2, { name: "renamed", tags: ["old"], notes: "old notes" }));
    const reader = new SqliteReader(path);
    const run = await reader.getRun("e", "p", "r");
    expect([run?.name, run?.tags, run?.notes]).toEqual(["renamed", ["edited"], "old notes"]);
    reader.close();
    store.close();
  });
});
