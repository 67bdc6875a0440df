import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeFrames, scanFrames } from "../../pipeline/frame.js";
import { HistoryBatch } from "../../pipeline/history-batch.js";
import type { DecodedRecord } from "../../pipeline/records.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { SqliteReader } from "./sqlite-reader.js";
import { SqliteStore } from "./sqlite-store.js";

// Shared mode in the store, record by record with explicit times, so states are decided without waiting.

const NOW = Date.now();
const LONG_AGO = NOW - 3_600_000; // an hour: past the 60 s crash timeout

function runRecord(label: string, primary: boolean, t: number, seq = 1) {
  const header = { seq, t, entity: "e", project: "p", id: "r", name: label, tags: [], startTime: t / 1000, crashTimeout: 60, attempt: 0 };
  return { kind: "run" as const, header: { ...header, writer: { label, primary } } };
}

function records(parts: Parameters<typeof encodeFrames>[0]): DecodedRecord[] {
  return scanFrames(encodeFrames(parts)).records;
}

/** A writer's batch of `loss` at steps [from, to), with its own seq. */
function history(seq: number, t: number, from: number, to: number, value: (step: number) => number) {
  const batch = new HistoryBatch("history");
  for (let step = from; step < to; step++) batch.addScalar("loss", step, value(step));
  return batch.takePart(seq, t, to - 1);
}

describe("shared-mode writers in the embedded store", () => {
  it("each writer has its own sequence space: a batch is applied once per writer, whatever the others' seqs", async () => {
    const path = join(tempRoot(), "runlog.db");
    const main = new SqliteStore(path);
    const aux = new SqliteStore(path);
    expect(main.apply(records([runRecord("main", true, NOW), history(2, NOW, 0, 100, (s) => s)]))).toBe(2);
    // aux's seqs 1 and 2 are its own, not below main's 2.
    const auxBatch = records([runRecord("aux", false, NOW), history(2, NOW, 0, 50, (s) => 100 + s)]);
    expect(aux.apply(auxBatch)).toBe(2);
    expect(aux.apply(auxBatch)).toBe(0); // redelivered: nothing twice
    expect(main.apply(records([history(2, NOW, 0, 100, (s) => s)]))).toBe(0);
    expect(main.apply(records([history(3, NOW, 100, 120, (s) => s)]))).toBe(1);
    main.close();
    aux.close();
    const described = new SqliteStore(path);
    const snapshot = described.describeRun({ entity: "e", project: "p", id: "r" }).run;
    described.close();
    expect(snapshot?.writers?.map((w) => [w.label, w.primary, w.appliedSeq, w.lastStep])).toEqual([
      ["aux", false, 2, 49],
      ["main", true, 3, 119],
    ]);
    const reader = new SqliteReader(path);
    const run = await reader.getRun("e", "p", "r");
    if (run === undefined) throw new Error("run missing");
    expect(await reader.seriesKeys(run, "history")).toEqual([]); // no writer's history is the run's own stream
    const chunks = await reader.chunkInfos(run, "history@aux", "loss", 0, 1e9);
    const points = await reader.chunkPoints(run, "history@aux", "loss", chunks, [...Array(chunks.length).keys()]);
    expect(points.flatMap((p) => Array.from(p.values))).toEqual(Array.from({ length: 50 }, (_, s) => 100 + s));
    reader.close();
  });

  it("the run is the primary's: a dead primary reads crashed though others write on; a non-primary's exit does not end it", async () => {
    const path = join(tempRoot(), "runlog.db");
    const main = new SqliteStore(path);
    const aux = new SqliteStore(path);
    main.apply(records([runRecord("main", true, LONG_AGO)]));
    aux.apply(records([runRecord("aux", false, NOW), history(2, NOW, 0, 10, (s) => s)]));
    aux.heartbeat(NOW);
    const reader = new SqliteReader(path);
    const view = async () => (await reader.getRun("e", "p", "r")) ?? expect.fail("run missing");
    // listRuns derives the state: the primary's heartbeat is an hour old, aux's is fresh.
    expect((await reader.listRuns("e", "p")).map((r) => r.state)).toEqual(["crashed"]);
    expect((await reader.writers(await view())).map((w) => [w.label, w.state])).toEqual([
      ["aux", "running"],
      ["main", "crashed"],
    ]);
    aux.apply(records([{ kind: "exit", header: { seq: 3, t: NOW, exitCode: 0, state: "finished", runtime: 1 } }]));
    expect((await view()).state).toBe("crashed"); // still the primary's state: a non-primary's exit does not finish the run
    // The primary comes back and finishes, naming a writer that died: it is marked crashed, the run finished.
    main.apply(records([runRecord("main", true, NOW, 2)]));
    aux.apply(records([runRecord("aux", false, NOW, 4)]));
    main.apply(
      records([{ kind: "exit", header: { seq: 3, t: NOW, exitCode: 0, state: "finished", runtime: 2, crashedWriters: ["aux"] } }]),
    );
    expect((await view()).state).toBe("finished");
    expect((await reader.writers(await view())).map((w) => [w.label, w.state, w.exitCode])).toEqual([
      ["aux", "crashed", undefined],
      ["main", "finished", 0],
    ]);
    reader.close();
    main.close();
    aux.close();
  });

  it("config and summary merge: the primary's value wins, others add their own keys, a later label over an earlier one", async () => {
    const path = join(tempRoot(), "runlog.db");
    const store = new SqliteStore(path);
    const config = (seq: number, value: Record<string, unknown>) => ({ kind: "config" as const, header: { seq, t: NOW, config: value } });
    store.apply(records([runRecord("b", false, NOW), config(2, { lr: 2, b: 1, shared: "b" })]));
    store.apply(records([runRecord("a", false, NOW), config(2, { lr: 1, a: 1, shared: "a" })]));
    store.apply(records([runRecord("main", true, NOW), config(2, { lr: 0.1 })]));
    store.apply(
      records([runRecord("a", false, NOW, 3), { kind: "summary", header: { seq: 4, t: NOW, set: { loss: 9, a_only: 1 }, delete: [] } }]),
    );
    store.apply(records([runRecord("main", true, NOW, 3), { kind: "summary", header: { seq: 4, t: NOW, set: { loss: 1 }, delete: [] } }]));
    store.close();
    const reader = new SqliteReader(path);
    const run = await reader.getRun("e", "p", "r");
    expect(run?.config).toEqual({ lr: 0.1, a: 1, b: 1, shared: "b" });
    expect(run?.summary).toEqual({ loss: 1, a_only: 1 });
    expect(run?.name).toBe("main"); // only the primary describes the run
    reader.close();
  });
});
