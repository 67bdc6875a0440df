import { FLOAT32_OPTIONS, Packr, pack, unpack, unpackMultiple } from "msgpackr";
import { describe, expect, it } from "vitest";
import { LogRowReader } from "./log-row-reader.js";

// The reader is checked against msgpackr, the decoder it stands in for, on the bytes both read.
let seed = 11;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

// Every number encoding the reader takes: fixints, 8/16/32-bit ints, float32 (msgpack from other clients) and float64.
const NUMBERS = [
  0,
  1,
  127,
  -1,
  -32,
  -33,
  200,
  -200,
  40_000,
  -40_000,
  70_000,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 32 - 1,
  0.5,
  -1e-300,
  Number.NaN,
];
const KEYS = ["loss", "acc", "train/loss", "lr", "ключ", "a".repeat(31), "b".repeat(32), "c".repeat(200), "val/top-5 accuracy"];

// Other clients send float32 (0xca); msgpackr writes it only when asked.
const float32 = new Packr({ useFloat32: FLOAT32_OPTIONS.ALWAYS, useRecords: false });
const packAny = (value: unknown) => (random() < 0.5 ? pack(value) : float32.pack(value));

function flatRow(): Record<string, number> {
  const row: Record<string, number> = {};
  const count = 1 + Math.floor(random() * 20); // past 15 keys msgpack switches to map16
  for (let i = 0; i < count; i++) row[`${pick(KEYS)}${i}`] = random() < 0.5 ? pick(NUMBERS) : (random() - 0.5) * 1e6;
  return row;
}

function readAll(reader: LogRowReader, bytes: Buffer): { rows: Record<string, number>[]; end: number } {
  const rows: Record<string, number>[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = reader.read(bytes, at);
    if (end < 0) break;
    rows.push(Object.fromEntries(reader.keys.slice(0, reader.count).map((key, i) => [key, reader.values[i] as number])));
    at = end;
  }
  return { rows, end: at };
}

describe("LogRowReader", () => {
  it("reads flat numeric log rows exactly as msgpackr does, reusing keys across rows of one layout", () => {
    const reader = new LogRowReader();
    for (let round = 0; round < 200; round++) {
      const layout = flatRow();
      const rows = Array.from({ length: 1 + Math.floor(random() * 5) }, () => {
        const row = { ...layout };
        for (const key in row) row[key] = random() < 0.5 ? pick(NUMBERS) : random() * 100;
        return row;
      });
      const packed = rows.map((row) => packAny(["log", row]));
      const bytes = Buffer.concat(packed);
      const { rows: read, end } = readAll(reader, bytes);
      expect(end).toBe(bytes.length);
      expect(read).toEqual(packed.map((record) => unpack(record)[1]));
    }
  });

  it("leaves every other record to msgpackr", () => {
    const reader = new LogRowReader();
    const others = [
      ["log", { a: 1 }, { step: 3 }],
      ["log", {}],
      ["log", { a: "text" }],
      ["log", { a: true }],
      ["log", { a: null }],
      ["log", { a: [1, 2] }],
      ["log", { nested: { a: 1 } }],
      ["log", { ["k".repeat(300)]: 1 }], // a str16 key
      ["log", { "": 1 }],
      ["config", { lr: 0.1 }],
      ["summary", { best: 1 }],
      [1, 2],
      "log",
    ];
    for (const record of others) expect(reader.read(pack(record), 0), JSON.stringify(record)).toBe(-1);
    // A 64-bit integer, as Python packs 2 ** 40 (msgpackr would write a float64).
    const uint64 = Buffer.from([0x92, 0xa3, 0x6c, 0x6f, 0x67, 0x81, 0xa1, 0x62, 0xcf, 0, 0, 1, 0, 0, 0, 0, 0]);
    expect(unpack(uint64)).toEqual(["log", { b: 2n ** 40n }]); // core logs a safe bigint as a number
    expect(reader.read(uint64, 0)).toBe(-1);
  });

  it("truncated and mutated rows are declined, or decoded exactly as msgpackr decodes the same bytes", () => {
    const reader = new LogRowReader();
    let decoded = 0;
    let declined = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes = Buffer.from(packAny(["log", flatRow()]));
      const cut = bytes.subarray(0, Math.floor(random() * bytes.length));
      expect(reader.read(cut, 0)).toBe(-1);
      const flipped: number[] = [];
      for (let flips = 0; flips < 3; flips++) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] = Math.floor(random() * 256);
        flipped.push(at);
      }
      const end = reader.read(bytes, 0);
      if (end === -1) {
        declined++;
        continue;
      }
      decoded++;
      const where = `round ${round}, bytes ${flipped} changed: ${bytes.subarray(0, 40).toString("hex")}`;
      expect(end, where).toBeGreaterThan(0);
      expect(end, where).toBeLessThanOrEqual(bytes.length);
      // msgpackr reads bytes[0, end) as exactly one record, the same row (a repeated key: the last wins in both).
      const records = unpackMultiple(bytes.subarray(0, end));
      const row = Object.fromEntries(reader.keys.slice(0, reader.count).map((key, i) => [key, reader.values[i] as number]));
      expect(records, where).toEqual([["log", row]]);
    }
    // Keys that are not valid UTF-8 (a lone byte, a cut sequence, an encoded surrogate) read as msgpackr reads them.
    for (const key of [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x61, 0x80, 0x62], [...Array(37).fill(0x61), 0xed, 0xa0, 0x80]]) {
      const header = key.length < 32 ? [0xa0 + key.length] : [0xd9, key.length];
      const bytes = Buffer.from([0x92, 0xa3, 0x6c, 0x6f, 0x67, 0x81, ...header, ...key, 0x2a]);
      expect(reader.read(bytes, 0), String(key)).toBe(bytes.length);
      expect(unpack(bytes), String(key)).toEqual(["log", { [reader.keys[0] as string]: 42 }]);
    }
    // Both outcomes occur, so the comparison above is exercised.
    expect(decoded).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(100);
  });
});
