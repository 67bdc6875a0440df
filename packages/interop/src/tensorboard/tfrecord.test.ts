import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32c as awsCrc32c } from "@aws-crypto/crc32c";
import { Api, RunlogError } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { TfRecordWriter } from "../tfevents/record-writer.js";
import { crc32c } from "./crc32c.js";
import { importTensorboard } from "./import-tensorboard.js";
import { TfEvent } from "./schema.js";
import { readTfRecords } from "./tfrecord.js";

/** Record sizes around the reader's 1 MiB window: records that straddle it, one bigger than it, empty ones. */
const SIZES = [0, 100, 1024 * 1024 - 40, 37, 3 * 1024 * 1024 + 5, 0, 1, 1024 * 1024, 12, 700_000, 700_000, 9];

function writeRecords(file: string, records: Uint8Array[]): void {
  const writer = new TfRecordWriter(file);
  for (const record of records) writer.write(record);
  writer.close();
}

function readAll(file: string): { offset: number; bytes: Buffer }[] {
  return [...readTfRecords(file)].map((record) => ({ offset: record.offset, bytes: record.bytes }));
}

describe("crc32c", () => {
  it("is CRC-32C: the check value of 123456789, and what @aws-crypto/crc32c computes for any bytes", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    for (const size of [1, 7, 8, 255, 256, 4097]) {
      const bytes = randomBytes(size);
      expect(crc32c(bytes)).toBe(awsCrc32c(bytes));
    }
  });
});

describe("readTfRecords: a 1 MiB window over the file, each record exact", () => {
  const records = SIZES.map((size) => randomBytes(size));
  const offsets = SIZES.map((_, i) => SIZES.slice(0, i).reduce((sum, size) => sum + 16 + size, 0));

  it("reads records that straddle the window, or are bigger than it, byte for byte at their offsets", () => {
    const file = join(tempRoot(), "events.out.tfevents.1");
    writeRecords(file, records);
    const read = readAll(file);
    expect(read.map((record) => record.offset)).toEqual(offsets);
    // Compared after the whole file is read: each record is its own copy, not a view the window moved over.
    for (const [i, record] of read.entries()) expect(record.bytes.equals(records[i] as Buffer)).toBe(true);
  });

  it("a record torn at the end of the file ends it quietly after every whole record", () => {
    const file = join(tempRoot(), "events.out.tfevents.2");
    writeRecords(file, records);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, (offsets[9] as number) + 16 + 1000)); // record 9 cut after 1000 of its bytes
    expect(readAll(file).map((record) => record.offset)).toEqual(offsets.slice(0, 9));
  });

  it("a flipped byte past the first window: SOURCE_CORRUPT at that record's offset", () => {
    const file = join(tempRoot(), "events.out.tfevents.3");
    writeRecords(file, records);
    const bytes = readFileSync(file);
    const damaged = offsets[7] as number; // a 1 MiB record starting beyond 4 MiB
    bytes[damaged + 12 + 500_000] = (bytes[damaged + 12 + 500_000] as number) ^ 0x40;
    writeFileSync(file, bytes);
    const seen: number[] = [];
    let caught: unknown;
    try {
      for (const record of readTfRecords(file)) seen.push(record.offset);
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual(offsets.slice(0, 7));
    expect(RunlogError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ code: "SOURCE_CORRUPT", details: { file, offset: damaged } });
  });

  it("a damaged length beyond the first window: SOURCE_CORRUPT, not a read past the end", () => {
    const file = join(tempRoot(), "events.out.tfevents.4");
    writeRecords(file, records);
    const bytes = readFileSync(file);
    const damaged = offsets[10] as number;
    bytes[damaged + 3] = 0x7f; // a length of ~2^31 bytes whose checksum no longer matches
    writeFileSync(file, bytes);
    expect(() => readAll(file)).toThrow(expect.objectContaining({ code: "SOURCE_CORRUPT", details: { file, offset: damaged } }));
  });
});

describe("importTensorboard: steps out of order within the open window", () => {
  it("a step older than every open step, arriving when the window is full, keeps its value", async () => {
    const dir = join(tempRoot(), "logs", "run");
    const file = join(dir, "events.out.tfevents.1700000000.test");
    mkdirSync(dir, { recursive: true });
    const event = (step: number, value: number) =>
      TfEvent.encode({ wall_time: 1_700_000_000 + step, step, summary: { value: [{ tag: "loss", simple_value: value }] } }).finish();
    // Steps 1000..1255 fill the 256 open rows; then step 5 arrives (older than all of them), then 1256.
    const steps = [...Array.from({ length: 256 }, (_, i) => 1000 + i), 5, 1256];
    writeRecords(file, [
      TfEvent.encode({ wall_time: 1_700_000_000, file_version: "brain.Event:2" }).finish(),
      ...steps.map((s) => event(s, s / 2)),
    ]);
    const root = tempRoot();
    const report = importTensorboard(join(dir, ".."), { dir: root, entity: "e", project: "p" });
    const run = await new Api({ dir: root }).run(`e/p/${report.runs[0]?.id}`);
    const rows: [unknown, unknown][] = [];
    for await (const row of run.scanHistory()) rows.push([row._step, row.loss]);
    expect(rows).toEqual([...steps].sort((a, b) => a - b).map((s) => [s, s / 2]));
    expect(report.unmapped).toEqual({});
  });
});
