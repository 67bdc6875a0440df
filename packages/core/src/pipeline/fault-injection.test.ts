import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type FaultSite, MemoryFileLayer } from "../test-support/fault-file-layer.js";
import { seededRandom } from "../test-support/seeded-random.js";
import { tempRoot } from "../test-support/temp-root.js";
import { encodeFrames, type FramePart } from "./frame.js";
import { HistoryBatch } from "./history-batch.js";
import { RunPipeline } from "./pipeline.js";
import type { DecodedRecord } from "./records.js";
import { type LogReadResult, readTransactionLog, TransactionLogWriter } from "./transaction-log.js";

const LOG = "/virtual/attempt-0000.rlog";

function replay(image: Buffer): { records: DecodedRecord[] } & LogReadResult {
  const path = join(tempRoot(), "replayed.rlog");
  writeFileSync(path, image);
  const records: DecodedRecord[] = [];
  const result = readTransactionLog(path, (batch) => records.push(...batch));
  return { records, ...result };
}

function historySteps(records: readonly DecodedRecord[], key = "loss"): number[] {
  const steps: number[] = [];
  for (const record of records) {
    if (record.kind !== "history") continue;
    for (const column of record.columns) if (column.key === key) steps.push(...column.steps);
  }
  return steps;
}

describe("power loss at seeded points", () => {
  it("300 seeds: a replay applies every fsynced record and never a torn one", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const layer = new MemoryFileLayer(undefined, random);
      const log = new TransactionLogWriter(LOG, layer);
      const written: FramePart[] = [];
      let synced = 0;
      const segments = 1 + Math.floor(random() * 30);
      for (let s = 0; s < segments; s++) {
        const parts: FramePart[] = [];
        for (let f = 0, n = 1 + Math.floor(random() * 3); f < n; f++) {
          const seq = written.length + parts.length + 1;
          if (random() < 0.5) {
            parts.push({ kind: "summary", header: { seq, t: seq, set: { note: "x".repeat(Math.floor(random() * 300)) }, delete: [] } });
          } else {
            const batch = new HistoryBatch("history");
            for (let i = 0, points = 1 + Math.floor(random() * 200); i < points; i++) batch.addScalar("loss", seq * 1000 + i, random());
            parts.push(batch.takePart(seq, seq, seq * 1000));
          }
        }
        log.append(encodeFrames(parts));
        written.push(...parts.map((part) => JSON.parse(JSON.stringify(part.header))));
        if (random() < 0.3 && log.syncNow()) synced = written.length;
      }
      const { records, damaged } = replay((layer.files.get(LOG) as NonNullable<ReturnType<typeof layer.files.get>>).afterPowerLoss());
      const context = `seed ${seed}`;
      expect(damaged, context).toEqual([]);
      expect(records.length, context).toBeGreaterThanOrEqual(synced);
      expect(records.length, context).toBeLessThanOrEqual(written.length);
      expect(
        records.map((record) => JSON.parse(JSON.stringify(record.header))),
        context,
      ).toEqual(written.slice(0, records.length));
    }
  });
});

interface Trial {
  readonly site: FaultSite;
  readonly code: string;
  readonly seed: number;
  readonly maxBacklogBytes?: number;
  readonly failFor?: number;
}

/** A run's pipeline logging 400 steps through a file layer that fails `site` for a while, then recovers. */
async function trial({ site, code, seed, maxBacklogBytes, failFor }: Trial) {
  const random = seededRandom(seed);
  const counts = new Map<FaultSite, number>();
  // drain() and close() fsync only a few times: a failure there starts at once and lasts less.
  const finalSync = site === "sync";
  const start = finalSync ? 1 : 2 + Math.floor(random() * 10);
  const length = failFor ?? 1 + Math.floor(random() * (finalSync ? 2 : 6));
  const layer = new MemoryFileLayer((at) => {
    const n = (counts.get(at) ?? 0) + 1;
    counts.set(at, n);
    // A failing truncate is tested with the failing write it follows.
    const target = site === "truncate" ? at === "write" || at === "truncate" : at === site;
    return target && n >= start && n < start + length ? code : undefined;
  }, random);
  const warnings: string[] = [];
  let step = 0;
  const pipeline: RunPipeline = new RunPipeline({
    logPath: LOG,
    sink: undefined,
    firstSeq: 1,
    flushIntervalSeconds: 1,
    beforeSeal: () => {
      if (!pipeline.history.isEmpty) pipeline.push("summary", { set: { _step: step - 1 }, delete: [] });
    },
    lastStep: () => step - 1,
    onSinkError: () => {},
    warn: (message) => warnings.push(message),
    fileLayer: layer,
    ...(maxBacklogBytes === undefined ? {} : { maxBacklogBytes }),
  });
  pipeline.push("run", { entity: "e", project: "p", id: "r", name: "r", tags: [], startTime: 0, crashTimeout: 60, attempt: 0 });
  let degraded = false;
  for (; step < 400; step++) {
    pipeline.history.addScalar("loss", step, step / 10);
    if (step % 10 === 9) {
      pipeline.seal();
      if (step % 30 === 29) pipeline.tick();
      if (pipeline.persistence.state === "degraded") {
        degraded = true;
        pipeline.retry();
      }
    }
  }
  await pipeline.drain(5_000, () => {});
  pipeline.closeLog();
  const file = layer.files.get(LOG) as NonNullable<ReturnType<typeof layer.files.get>>;
  return { pipeline, warnings, degraded, replayed: replay(file.data), durable: replay(file.afterPowerLoss()) };
}

describe("ENOSPC, EIO and fsync failures at every write site", () => {
  const sites: FaultSite[] = ["write", "truncate", "sync", "backgroundSync"];
  for (const site of sites) {
    for (const code of ["ENOSPC", "EIO"]) {
      it(`${code} at ${site}: nothing throws, the run says so once, and every record reaches the log in order`, async () => {
        for (let seed = 1; seed <= (site === "sync" ? 6 : 25); seed++) {
          const context = `${code} at ${site}, seed ${seed}`;
          const { pipeline, warnings, degraded, replayed, durable } = await trial({ site, code, seed });
          expect(pipeline.lossError(), context).toBeUndefined();
          expect(pipeline.persistence.state, context).toBe("ok");
          expect(replayed.damaged, context).toEqual([]);
          expect(replayed.tornBytes, context).toBe(0);
          expect(
            replayed.records.map((record) => record.header.seq),
            context,
          ).toEqual(Array.from({ length: replayed.records.length }, (_, i) => i + 1));
          expect(historySteps(replayed.records), context).toEqual(Array.from({ length: 400 }, (_, i) => i));
          // Closing fsynced everything: a power cut now loses nothing.
          expect(durable.records.length, context).toBe(replayed.records.length);
          const warned = warnings.filter((w) => w.startsWith("cannot write")).length;
          expect(warned, context).toBe(degraded || site === "sync" ? 1 : 0);
        }
      });
    }
  }

  it("a long outage with a small backlog: finish's PERSIST_FAILED lists exactly the steps the log lacks", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const context = `seed ${seed}`;
      const { pipeline, replayed } = await trial({ site: "write", code: "ENOSPC", seed, maxBacklogBytes: 2_048, failFor: 30 });
      const error = pipeline.lossError();
      expect(error, context).toMatchObject({ code: "PERSIST_FAILED" });
      const lost = new Set<number>();
      for (const [from, to] of (error?.details?.steps ?? []) as [number, number][]) for (let s = from; s <= to; s++) lost.add(s);
      expect(lost.size, context).toBeGreaterThan(0);
      const kept = historySteps(replayed.records);
      expect(kept, context).toEqual(Array.from({ length: 400 }, (_, i) => i).filter((s) => !lost.has(s)));
      expect(error?.details?.points, context).toBe(400 - kept.length);
      // Every summary the log kept names a step its history has.
      const steps = new Set(kept);
      for (const record of replayed.records) {
        if (record.kind === "summary") expect(steps.has(record.header.set._step as number), context).toBe(true);
      }
      // The run record survived the shedding.
      expect(replayed.records[0]?.kind, context).toBe("run");
    }
  });

  it("a media file the disk refuses waits in memory and is written when the disk takes it again", () => {
    const root = tempRoot();
    const blocker = join(root, "media");
    writeFileSync(blocker, ""); // a file where the media folder must go: every write there fails
    const warnings: string[] = [];
    const pipeline = new RunPipeline({
      logPath: LOG,
      sink: undefined,
      firstSeq: 1,
      flushIntervalSeconds: 1,
      beforeSeal: () => {},
      lastStep: () => 0,
      onSinkError: () => {},
      warn: (message) => warnings.push(message),
      fileLayer: new MemoryFileLayer(),
    });
    const path = join(blocker, "html", "page_0.html");
    expect(() => pipeline.writeFile(path, Buffer.from("<p>hi</p>"))).not.toThrow();
    expect(pipeline.persistence.state).toBe("degraded");
    expect(pipeline.retry()).toBe(false);
    rmSync(blocker);
    expect(pipeline.retry()).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("<p>hi</p>");
    expect(pipeline.persistence.state).toBe("ok");
    expect(pipeline.lossError()).toBeUndefined();
    expect(warnings.filter((w) => w.startsWith("cannot write"))).toHaveLength(1);
    pipeline.closeLog();
  });
});
