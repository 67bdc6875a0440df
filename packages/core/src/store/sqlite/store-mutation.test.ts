import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeFrames, scanFrames } from "../../pipeline/frame.js";
import { HistoryBatch } from "../../pipeline/history-batch.js";
import { seededRandom } from "../../test-support/seeded-random.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { SqliteReader } from "./sqlite-reader.js";
import { SqliteStore } from "./sqlite-store.js";

const KEYS = ["loss", "acc", "lr"];
const POINTS = 3_000;

/** A store holding one run with three series of 3,000 points (three chunks each, the last a tail). */
function buildStore(): { bytes: Buffer; expected: Map<string, Map<number, number>> } {
  const path = join(tempRoot(), "runlog.db");
  const store = new SqliteStore(path);
  const random = seededRandom(7);
  const expected = new Map(KEYS.map((key) => [key, new Map<number, number>()]));
  const run = { seq: 1, t: 1, entity: "e", project: "p", id: "r", name: "r", tags: [], startTime: 1, crashTimeout: 60, attempt: 0 };
  store.apply(scanFrames(encodeFrames([{ kind: "run", header: run }])).records);
  for (let batchStart = 0, seq = 2; batchStart < POINTS; batchStart += 500, seq++) {
    const batch = new HistoryBatch("history");
    for (let step = batchStart; step < batchStart + 500; step++) {
      for (const key of KEYS) {
        const value = random();
        batch.addScalar(key, step, value);
        expected.get(key)?.set(step, value);
      }
    }
    store.apply(scanFrames(encodeFrames([batch.takePart(seq, seq, batchStart + 499)])).records);
  }
  store.close(); // checkpoints: the whole store is in the one file
  return { bytes: readFileSync(path), expected };
}

async function readSeries(reader: SqliteReader, key: string): Promise<[number, number][]> {
  const run = await reader.getRun("e", "p", "r");
  if (run === undefined) return [];
  const chunks = await reader.chunkInfos(run, "history", key, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  const points = await reader.chunkPoints(
    run,
    "history",
    key,
    chunks,
    Array.from({ length: chunks.length }, (_, i) => i),
  );
  return points.flatMap((p) => Array.from(p.values, (value, i) => [p.steps[i] as number, value] as [number, number]));
}

describe("seeded byte mutations of runlog.db", () => {
  it("300 damaged stores: every series read is exact or fails with a code, never a wrong value or a raw error", async () => {
    const { bytes, expected } = buildStore();
    const path = join(tempRoot(), "runlog.db");
    let detected = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const mutated = Buffer.from(bytes);
      // Past the 100-byte header: a damaged header is refused at open, which the first cases cover.
      for (let m = 0, n = 1 + Math.floor(random() * 3); m < n; m++) {
        const at = seed <= 10 ? Math.floor(random() * 100) : 100 + Math.floor(random() * (mutated.length - 100));
        mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8));
      }
      writeFileSync(path, mutated);
      const context = `seed ${seed}`;
      let reader: SqliteReader | undefined;
      try {
        reader = new SqliteReader(path);
        for (const key of KEYS) {
          const truth = expected.get(key) as Map<number, number>;
          const wrong = (await readSeries(reader, key)).filter(([step, value]) => !Object.is(truth.get(step), value));
          expect(wrong, `${context}: ${key} served damaged values`).toEqual([]);
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === undefined || (code !== "STORE_CORRUPT" && code !== "STORE_ERROR")) throw new Error(`${context}: ${String(error)}`);
        detected++;
      } finally {
        reader?.close();
      }
    }
    expect(detected).toBeGreaterThan(0);
  });
});
