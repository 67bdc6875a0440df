import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../test-support/seeded-random.js";
import { tempRoot } from "../test-support/temp-root.js";
import { encodeFrames, type FramePart } from "./frame.js";
import { HistoryBatch } from "./history-batch.js";
import type { DecodedRecord } from "./records.js";
import { LOG_MAGIC, readTransactionLog } from "./transaction-log.js";

/** A log of mixed records, with each frame's byte range. */
function buildLog(): { bytes: Buffer; frames: { seq: number; start: number; end: number }[]; originals: Map<number, string> } {
  const random = seededRandom(42);
  const pieces: Buffer[] = [LOG_MAGIC];
  const frames: { seq: number; start: number; end: number }[] = [];
  const originals = new Map<number, string>();
  let at = LOG_MAGIC.length;
  for (let seq = 1; seq <= 40; seq++) {
    let part: FramePart;
    if (seq % 3 === 0) {
      const batch = new HistoryBatch("history");
      for (let i = 0; i < 20 + (seq % 7) * 10; i++) {
        batch.addScalar("loss", seq * 100 + i, random());
        batch.addScalar("acc", seq * 100 + i, random());
      }
      part = batch.takePart(seq, seq, seq * 100);
    } else if (seq % 3 === 1) {
      part = { kind: "summary", header: { seq, t: seq, set: { loss: random(), note: "n".repeat(seq * 3) }, delete: [] } };
    } else {
      part = { kind: "config", header: { seq, t: seq, config: { lr: random(), layers: [seq, seq + 1] } } };
    }
    const frame = encodeFrames([part]);
    frames.push({ seq, start: at, end: at + frame.length });
    at += frame.length;
    pieces.push(frame);
  }
  const bytes = Buffer.concat(pieces);
  const records: DecodedRecord[] = [];
  const path = join(tempRoot(), "original.rlog");
  writeFileSync(path, bytes);
  readTransactionLog(path, (batch) => records.push(...batch));
  for (const record of records) originals.set(record.header.seq, fingerprint(record));
  return { bytes, frames, originals };
}

function fingerprint(record: DecodedRecord): string {
  const columns = record.kind === "history" ? record.columns.map((c) => [c.key, Array.from(c.steps), Array.from(c.values)]) : [];
  return JSON.stringify([record.kind, record.header, columns]);
}

describe("seeded byte mutations of a transaction log", () => {
  it("1,200 mutated logs: never a crash, never a damaged record applied, every intact frame recovered", () => {
    const { bytes, frames, originals } = buildLog();
    expect(originals.size).toBe(40);
    const path = join(tempRoot(), "mutated.rlog");
    for (let seed = 1; seed <= 1_200; seed++) {
      const random = seededRandom(seed);
      let mutated = Buffer.from(bytes);
      const touched: [number, number][] = [];
      for (let m = 0, n = 1 + Math.floor(random() * 4); m < n; m++) {
        const at = Math.floor(random() * mutated.length);
        const kind = random();
        if (kind < 0.6) {
          mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8));
          touched.push([at, at + 1]);
        } else if (kind < 0.9) {
          const length = 1 + Math.floor(random() * 64);
          for (let i = at; i < Math.min(mutated.length, at + length); i++) mutated[i] = Math.floor(random() * 256);
          touched.push([at, at + length]);
        } else {
          mutated = mutated.subarray(0, at); // cut short, as a lost tail
          touched.push([at, Number.POSITIVE_INFINITY]);
        }
      }
      writeFileSync(path, mutated);
      const context = `seed ${seed}`;
      const records: DecodedRecord[] = [];
      let result: ReturnType<typeof readTransactionLog> | undefined;
      try {
        result = readTransactionLog(path, (batch) => records.push(...batch));
      } catch (error) {
        // Only a log with its header and every frame destroyed may be refused, and only as LOG_CORRUPT.
        expect((error as { code?: string }).code, context).toBe("LOG_CORRUPT");
      }
      const wrong = records.filter((record) => fingerprint(record) !== originals.get(record.header.seq)).map((r) => r.header.seq);
      expect(wrong, `${context}: damaged records applied`).toEqual([]);
      const seqs = records.map((r) => r.header.seq);
      expect(seqs, context).toEqual([...seqs].sort((a, b) => a - b));
      const intact = frames.filter((f) => touched.every(([from, to]) => to <= f.start || from >= f.end)).map((f) => f.seq);
      const found = new Set(seqs);
      expect(
        intact.filter((seq) => !found.has(seq)),
        `${context}: intact frames lost`,
      ).toEqual([]);
      if (result !== undefined && seqs.length < originals.size)
        expect(result.damaged.length + result.tornBytes, context).toBeGreaterThan(0);
    }
  });
});
