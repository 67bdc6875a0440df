import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

  it("stops at a corrupted frame (CRC mismatch)", () => {
    const path = join(tempRoot(), "c.rlog");
    const log = new TransactionLogWriter(path);
    log.append(encodeFrame("summary", { seq: 1, t: 1, set: { a: 1 }, delete: [] }));
    const offset = log.append(encodeFrame("summary", { seq: 2, t: 2, set: { a: 2 }, delete: [] }));
    log.close();
    const bytes = readFileSync(path);
    bytes[offset + 20] = (bytes[offset + 20] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const { records, tornBytes } = readAll(path);
    expect(records).toHaveLength(1);
    expect(tornBytes).toBeGreaterThan(0);
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
