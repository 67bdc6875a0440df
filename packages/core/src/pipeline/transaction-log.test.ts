import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../test-support/temp-root.js";
import { encodeFrames, type FramePart, scanFrames } from "./frame.js";
import { HistoryBatch } from "./history-batch.js";
import type { DecodedRecord } from "./records.js";
import { readTransactionLog, TransactionLogWriter } from "./transaction-log.js";

const encodeFrame = (kind: FramePart["kind"], header: object) => encodeFrames([{ kind, header }]);

function readAll(path: string) {
  const records: DecodedRecord[] = [];
  const result = readTransactionLog(path, (batch) => records.push(...batch));
  return { records, ...result };
}

describe("transaction log", () => {
  it("round-trips framed records, NaN and columns included", () => {
    const path = join(tempRoot(), "a.rlog");
    const log = new TransactionLogWriter(path);
    const batch = new HistoryBatch("history");
    batch.addScalar("loss", 0, 0.5);
    batch.addScalar("loss", 1, Number.NaN);
    batch.addValues(1, { text: "hi", inf: Number.POSITIVE_INFINITY }, 2);
    log.append(encodeFrame("config", { seq: 1, t: 1, config: { lr: 0.1 } }));
    log.append(encodeFrames([batch.takePart(2, 2, 1)]));
    batch.reset();
    log.close();
    const { records, tornBytes } = readAll(path);
    expect(tornBytes).toBe(0);
    expect(records.map((r) => r.kind)).toEqual(["config", "history"]);
    const history = records[1] as Extract<DecodedRecord, { kind: "history" }>;
    expect(Array.from(history.columns[0]?.steps ?? [])).toEqual([0, 1]);
    expect(history.columns[0]?.values[1]).toBeNaN();
    expect(history.header.rows).toEqual([[1, { text: "hi", inf: Number.POSITIVE_INFINITY }]]);
    expect(batch.isEmpty).toBe(true);
  });

  it("stores a steps array once for the columns that share it", () => {
    const batch = new HistoryBatch("history");
    for (let step = 0; step < 3; step++) for (const key of ["a", "b", "c"]) batch.addScalar(key, step, step * 10);
    batch.addScalar("late", 2, 7); // other steps: a steps array of its own, shared by the next column
    batch.addScalar("next", 2, 8);
    const part = batch.takePart(1, 1, 2);
    expect(part.body).toHaveLength(2 + 5); // two steps arrays, five value arrays
    const [record] = scanFrames(encodeFrames([part])).records as Extract<DecodedRecord, { kind: "history" }>[];
    expect(record?.header.stepsOf).toEqual([0, 0, 0, 3, 3]);
    expect(record?.columns.map((c) => [c.key, Array.from(c.steps), Array.from(c.values)])).toEqual([
      ["a", [0, 1, 2], [0, 10, 20]],
      ["b", [0, 1, 2], [0, 10, 20]],
      ["c", [0, 1, 2], [0, 10, 20]],
      ["late", [2], [7]],
      ["next", [2], [8]],
    ]);
  });

  it("reads history frames written before steps were shared (one steps array per column)", () => {
    const header = { seq: 1, t: 1, stream: "history", keys: ["a", "b"], counts: [2, 1], rows: [], lastStep: 1 };
    const body = [new Float64Array([0, 1]), new Float64Array([5, 6]), new Float64Array([1]), new Float64Array([9])];
    const [record] = scanFrames(encodeFrames([{ kind: "history", header, body }])).records as Extract<DecodedRecord, { kind: "history" }>[];
    expect(record?.columns.map((c) => [c.key, Array.from(c.steps), Array.from(c.values)])).toEqual([
      ["a", [0, 1], [5, 6]],
      ["b", [1], [9]],
    ]);
  });

  it("refuses a shared-steps frame whose columns do not match its body", () => {
    const frame = (stepsOf: number[], counts: number[], arrays: number) =>
      encodeFrames([
        {
          kind: "history",
          header: { seq: 1, t: 1, stream: "history", keys: ["a", "b"], counts, stepsOf, rows: [], lastStep: 1 },
          body: Array.from({ length: arrays }, () => new Float64Array([0, 1])),
        },
      ]);
    expect(scanFrames(frame([0, 0], [2, 2], 3)).records).toHaveLength(1);
    for (const [stepsOf, counts, arrays] of [
      [[0, 0], [2, 2], 4], // an array too many
      [[0, 0], [2, 2], 2], // an array too few
      [[1, 1], [2, 2], 3], // a column using a later column's steps
      [[0, -1], [2, 2], 3],
      [[0, 0], [2, 1], 3], // shared steps of another length
    ] as [number[], number[], number][]) {
      expect(() => scanFrames(frame(stepsOf, counts, arrays)), JSON.stringify(stepsOf)).toThrowError(/do not match/);
    }
  });

  it("reports a torn tail instead of failing, keeping every complete frame", () => {
    const path = join(tempRoot(), "b.rlog");
    const log = new TransactionLogWriter(path);
    for (let seq = 1; seq <= 3; seq++) log.append(encodeFrame("summary", { seq, t: seq, set: { a: seq }, delete: [] }));
    log.close();
    const frame = encodeFrame("summary", { seq: 4, t: 4, set: { a: 4 }, delete: [] });
    appendFileSync(path, frame.subarray(0, frame.length - 3));
    const { records, tornBytes } = readAll(path);
    expect(records).toHaveLength(3);
    expect(tornBytes).toBe(frame.length - 3);
  });

  it("skips a damaged frame mid-log and resynchronises on the next one, reporting the bytes and seqs lost", () => {
    const path = join(tempRoot(), "c.rlog");
    const log = new TransactionLogWriter(path);
    const offsets = [1, 2, 3].map((seq) => log.append(encodeFrame("summary", { seq, t: seq, set: { a: seq }, delete: [] })));
    log.close();
    const bytes = readFileSync(path);
    bytes[(offsets[1] as number) + 20] = (bytes[(offsets[1] as number) + 20] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const { records, tornBytes, damaged } = readAll(path);
    expect(records.map((r) => r.header.seq)).toEqual([1, 3]);
    expect(tornBytes).toBe(0);
    expect(damaged).toEqual([{ file: path, start: offsets[1], end: offsets[2], afterSeq: 1, beforeSeq: 3 }]);
  });

  it("a damaged length field loses only its own frame, not every later one", () => {
    const path = join(tempRoot(), "len.rlog");
    const log = new TransactionLogWriter(path);
    const offsets = [1, 2, 3, 4].map((seq) => log.append(encodeFrame("summary", { seq, t: seq, set: { a: seq }, delete: [] })));
    log.close();
    const bytes = readFileSync(path);
    bytes.writeUInt32LE(40_000_000, offsets[1] as number); // claims 40 MB: more than the file holds
    writeFileSync(path, bytes);
    const { records, damaged } = readAll(path);
    expect(records.map((r) => r.header.seq)).toEqual([1, 3, 4]);
    expect(damaged.map((d) => [d.start, d.end, d.afterSeq, d.beforeSeq])).toEqual([[offsets[1], offsets[2], 1, 3]]);
  });

  it("a frame whose checksum holds but whose header is not JSON is skipped with LOG_CORRUPT, not a SyntaxError", () => {
    const path = join(tempRoot(), "json.rlog");
    const log = new TransactionLogWriter(path);
    log.append(encodeFrame("summary", { seq: 1, t: 1, set: {}, delete: [] }));
    const bad = encodeFrame("summary", { seq: 2, t: 2, set: { a: 2 }, delete: [] });
    bad.write("{nope", 13, "latin1");
    bad.writeUInt32LE(crc32(bad.subarray(8)), 4);
    log.append(bad);
    log.append(encodeFrame("summary", { seq: 3, t: 3, set: {}, delete: [] }));
    log.close();
    expect(() => scanFrames(bad)).toThrowError(expect.objectContaining({ code: "LOG_CORRUPT" }));
    const { records, damaged } = readAll(path);
    expect(records.map((r) => r.header.seq)).toEqual([1, 3]);
    expect(damaged).toHaveLength(1);
  });

  it("a damaged header is still read as a log when a frame follows it", () => {
    const path = join(tempRoot(), "magic.rlog");
    const log = new TransactionLogWriter(path);
    log.append(encodeFrame("summary", { seq: 1, t: 1, set: {}, delete: [] }));
    log.close();
    const bytes = readFileSync(path);
    bytes[2] = 0;
    writeFileSync(path, bytes);
    const { records, damaged } = readAll(path);
    expect(records).toHaveLength(1);
    expect(damaged.map((d) => [d.start, d.end])).toEqual([[0, 8]]);
  });

  it("refuses a file that is not a runlog log", () => {
    const path = join(tempRoot(), "d.rlog");
    writeFileSync(path, "hello world, not a log");
    expect(() => readAll(path)).toThrowError(/not a runlog transaction log/);
  });

  it("scanFrames rejects absurd lengths without allocating", () => {
    const garbage = Buffer.alloc(16, 0xff);
    expect(scanFrames(garbage).stoppedBy).toBe("corrupt");
  });
});
