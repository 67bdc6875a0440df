import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ArtifactRegistry } from "../../artifacts/artifact-registry.js";
import { buildManifest, manifestDigest } from "../../artifacts/manifest.js";
import { encodeFrames, type FramePart, scanFrames } from "../../pipeline/frame.js";
import { HistoryBatch } from "../../pipeline/history-batch.js";
import { seededRandom } from "../../test-support/seeded-random.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { SqliteReader } from "./sqlite-reader.js";
import { SqliteStore } from "./sqlite-store.js";
import { checkStore } from "./store-check.js";

const STEPS = 120;
const SPANS = 20;

function histogram(random: () => number) {
  const bins = Array.from({ length: 33 }, (_, i) => i / 32);
  return { _type: "histogram", bins, values: Array.from({ length: 32 }, () => Math.floor(random() * 1000)) };
}

/**
 * A store whose JSON text covers every kind readers serve: run config, summary, metadata and tags;
 * non-scalar history rows (histograms, a media reference); spans (start, then an end merged over
 * it in SQL); an artifact version's metadata, tags and manifest.
 */
function buildStore(path: string): void {
  const store = new SqliteStore(path);
  const random = seededRandom(11);
  let seq = 1;
  const apply = (parts: FramePart[]) => store.apply(scanFrames(encodeFrames(parts)).records);
  const header = { t: 1000, entity: "e", project: "p", id: "r", name: "json run", startTime: 1, crashTimeout: 60, attempt: 0 };
  apply([{ kind: "run", header: { ...header, seq: seq++, tags: ["baseline", "gpu-a100"] } }]);
  apply([
    {
      kind: "meta",
      header: { seq: seq++, t: 1000, metadata: { host: "node-17", gpu: { count: 8, name: "A100" }, args: ["--lr", "3e-4"] } },
    },
  ]);
  apply([
    {
      kind: "config",
      header: {
        seq: seq++,
        t: 1000,
        config: { lr: 0.0003, optimizer: { name: "adamw", betas: [0.9, 0.999] }, layers: 48, dataset: "c4-en" },
      },
    },
  ]);
  for (let start = 0; start < STEPS; start += 40) {
    const batch = new HistoryBatch("history");
    for (let step = start; step < start + 40; step++) {
      const row = { weights: histogram(random), sample: { _type: "image-file", path: `media/images/sample_${step}.png`, width: 64 } };
      batch.addValues(step, row, 2);
    }
    apply([batch.takePart(seq++, 1000, start + 39)]);
  }
  apply([{ kind: "summary", header: { seq: seq++, t: 1000, set: { best: { loss: 0.125, step: 97 }, note: "converged" }, delete: [] } }]);
  for (let i = 0; i < SPANS; i++) {
    const span = { id: `span-${i}`, traceId: `trace-${i % 3}`, kind: "llm", name: `call ${i}`, startTime: i };
    apply([
      { kind: "span", header: { seq: seq++, t: 1000, event: "start", ...span, data: { inputs: { prompt: `question number ${i}?` } } } },
    ]);
    apply([
      {
        kind: "span",
        header: {
          seq: seq++,
          t: 1000,
          event: "end",
          ...span,
          endTime: i + 0.5,
          status: "ok",
          data: { outputs: { text: `answer ${i * 7}` } },
        },
      },
    ]);
  }
  store.close();
  const registry = new ArtifactRegistry(path);
  const contents = Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [
      `shard-${i}.bin`,
      { digest: `md5-of-shard-${i}==`, size: 1000 + i, extra: { sha256: `${i}`.repeat(64).slice(0, 64) } },
    ]),
  );
  const manifest = buildManifest(contents);
  registry.commit({
    entity: "e",
    project: "p",
    name: "shards",
    type: "dataset",
    description: undefined,
    metadata: { rows: 120_000, source: "crawl-2026-11" },
    tags: ["train"],
    manifest,
    digest: manifestDigest(manifest.contents),
    size: 12_066,
    fileCount: 12,
    aliases: ["best"],
    runPath: "e/p/r",
  });
  registry.close();
}

/** Everything the readers serve from JSON text, as plain values. */
async function readAll(path: string) {
  const reader = new SqliteReader(path);
  try {
    const run = await reader.getRun("e", "p", "r");
    if (run === undefined) throw new Error("the run is gone");
    const listed = await reader.listRuns("e", "p");
    const history = await reader.historyRows(run, 0, STEPS);
    const spans = await reader.spans(run);
    const registry = new ArtifactRegistry(path);
    try {
      const versions = registry.versions({ entity: "e", project: "p", name: "shards" });
      return { run, listed, history, spans, versions };
    } finally {
      registry.close();
    }
  } finally {
    reader.close();
  }
}

/** Byte ranges of the stored JSON texts in the file (every copy), so mutations land in JSON. */
function textRanges(path: string, bytes: Buffer): [number, number][] {
  const db = new Database(path, { readonly: true });
  const texts = [
    ...(db.prepare("SELECT config, summary, metadata, tags FROM runs").raw(true).all() as string[][]).flat(),
    ...(db.prepare("SELECT data FROM history_rows UNION ALL SELECT data FROM spans").raw(true).all() as string[][]).flat(),
    ...(db.prepare("SELECT metadata, tags, manifest FROM artifact_versions").raw(true).all() as string[][]).flat(),
  ];
  db.close();
  const ranges: [number, number][] = [];
  for (const text of texts) {
    const needle = Buffer.from(text);
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) ranges.push([at, needle.length]);
  }
  return ranges;
}

describe("seeded byte mutations of the JSON text in runlog.db", () => {
  it("300 damaged stores: every JSON value read is exact or fails with a code; doctor names each damaged one", async () => {
    const built = join(tempRoot(), "runlog.db");
    buildStore(built);
    const truth = await readAll(built);
    expect(truth.history).toHaveLength(STEPS);
    expect(truth.spans[3]?.data).toEqual({ inputs: { prompt: "question number 3?" }, outputs: { text: "answer 21" } });
    const bytes = readFileSync(built);
    const ranges = textRanges(built, bytes);
    expect(ranges.length).toBeGreaterThan(STEPS + SPANS);
    const path = join(tempRoot(), "runlog.db");
    let detected = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const mutated = Buffer.from(bytes);
      for (let m = 0, n = 1 + Math.floor(random() * 3); m < n; m++) {
        const [start, length] = ranges[Math.floor(random() * ranges.length)] as [number, number];
        const at = start + Math.floor(random() * length);
        mutated[at] = (mutated[at] as number) ^ (1 << Math.floor(random() * 8));
      }
      for (const suffix of ["-wal", "-shm"]) rmSync(path + suffix, { force: true });
      writeFileSync(path, mutated);
      const context = `seed ${seed}`;
      let outcome: Awaited<ReturnType<typeof readAll>> | undefined;
      try {
        outcome = await readAll(path);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== "STORE_CORRUPT" && code !== "STORE_ERROR") throw new Error(`${context}: not a RunlogError code: ${String(error)}`);
        detected++;
        expect(checkStore(path).problems, `${context}: the reader found damage that doctor does not report`).not.toEqual([]);
      }
      if (outcome !== undefined && !isDeepStrictEqual(outcome, truth)) {
        throw new Error(`${context}: a damaged JSON value was served as a value (run the test with this seed to see which)`);
      }
    }
    // Flips in JSON text almost always change a value: nearly every store is detected.
    expect(detected).toBeGreaterThan(250);
  }, 120_000);

  it("a store from before text checksums (schema 5) is backfilled at open: read as before, verified from then on", async () => {
    const path = join(tempRoot(), "runlog.db");
    buildStore(path);
    const truth = await readAll(path);
    // Make it a schema-5 store: no checksum columns for JSON text.
    const db = new Database(path);
    for (const column of ["config_crc", "summary_crc", "metrics_crc", "metadata_crc", "tags_crc"])
      db.exec(`ALTER TABLE runs DROP COLUMN ${column}`);
    db.exec(
      "ALTER TABLE history_rows DROP COLUMN crc; ALTER TABLE spans DROP COLUMN crc; ALTER TABLE artifact_versions DROP COLUMN json_crc",
    );
    db.exec("DROP TABLE sweep_trials; DROP TABLE sweeps"); // schema 7's, newer than schema 5
    db.exec("ALTER TABLE runs DROP COLUMN described; ALTER TABLE runs DROP COLUMN edits"); // schema 8's
    db.exec("DROP TABLE writer_rows; DROP TABLE run_writers"); // schema 9's (shared mode)
    db.pragma("user_version = 5");
    expect(checkStore(path).problems).toEqual([]);
    db.close();
    expect(await readAll(path)).toEqual(truth); // migrates, backfilling every checksum
    expect(checkStore(path).problems).toEqual([]);
    const backfilled = new Database(path);
    const missing = backfilled
      .prepare(
        `SELECT (SELECT COUNT(*) FROM runs WHERE config_crc IS NULL OR summary_crc IS NULL OR metrics_crc IS NULL OR metadata_crc IS NULL OR tags_crc IS NULL)
              + (SELECT COUNT(*) FROM history_rows WHERE crc IS NULL) + (SELECT COUNT(*) FROM spans WHERE crc IS NULL)
              + (SELECT COUNT(*) FROM artifact_versions WHERE json_crc IS NULL) AS n`,
      )
      .get() as { n: number };
    expect(missing.n).toBe(0);
    // Damage after the upgrade is caught: change a histogram count without touching its length.
    backfilled.exec("UPDATE history_rows SET data = replace(data, '\"values\":[', '\"values\":[9') WHERE step = 5");
    backfilled.close();
    const reader = new SqliteReader(path);
    const run = await reader.getRun("e", "p", "r");
    if (run === undefined) throw new Error("the run is gone");
    await expect(reader.historyRows(run, 0, STEPS)).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    reader.close();
    expect(checkStore(path).problems).toEqual(["history row 5 of run e/p/r does not match its checksum"]);
  });

  it("a summary merged over damaged text stays marked damaged (the writer never launders a flipped byte)", async () => {
    const path = join(tempRoot(), "runlog.db");
    buildStore(path);
    const db = new Database(path);
    db.exec(`UPDATE runs SET summary = replace(summary, '0.125', '0.126')`);
    db.close();
    const store = new SqliteStore(path);
    store.selectRun("e", "p", "r");
    store.apply(scanFrames(encodeFrames([{ kind: "summary", header: { seq: 1000, t: 2000, set: { extra: 1 }, delete: [] } }])).records);
    store.close();
    const reader = new SqliteReader(path);
    await expect(reader.getRun("e", "p", "r")).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    await expect(reader.listRuns("e", "p")).rejects.toMatchObject({ code: "STORE_CORRUPT" });
    reader.close();
    expect(checkStore(path).problems).toEqual(["the summary of run e/p/r does not match its checksum"]);
  });
});
