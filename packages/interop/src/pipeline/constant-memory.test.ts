import { execFile } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Api } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";

const PACKAGE = fileURLToPath(new URL("../..", import.meta.url));
const MAKE = join(PACKAGE, "scripts", "make-large-sources.mjs");
const run = promisify(execFile);

/**
 * Input per source, and the V8 heap the importing process gets: the input is twice the heap,
 * of which loading core, protobuf.js and the schemas alone takes about 13 MB. A reader that held
 * the source, or a writer that kept its frames, would need the input's size again. Buffers live
 * outside that heap, so the child also measures what the import retains: heap and buffer bytes
 * still reachable after a full GC at each progress report, less the same before it started.
 */
const INPUT_BYTES = 64 * 1024 * 1024;
const HEAP_MB = { tfevents: 32, wandb: 32 };
/** Bytes per step of a --bulk source (10 scalars and a 64-bucket histogram), measured from the generator. */
const BYTES_PER_STEP = { tfevents: 1216, wandb: 1226 };
/**
 * Most the import may retain at once: the log's unsynced bytes (up to 16 MB, see run-import-writer),
 * a 4 MB batch of frames, a read window and the open rows; measured up to about 19 MB. Not the input.
 */
const RETAINED_MB = 24;
const KEYS = /^(m\d|h)$/;

/** Imports `source` in a child process whose V8 heap is capped at `heapMb`; nothing else keeps it alive. */
async function importWithBoundedHeap(kind: "tensorboard" | "wandb", source: string, root: string, heapMb: number) {
  const script = `import { importRuns } from "@runlog/interop";
const held = () => { globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const before = held();
let retained = 0;
const onProgress = () => { retained = Math.max(retained, held() - before); };
const report = await importRuns(${JSON.stringify(kind)}, ${JSON.stringify(source)}, { dir: ${JSON.stringify(root)}, entity: "e", project: "big", onProgress });
console.log(JSON.stringify({ ...report, retained }));`;
  const args = [`--max-old-space-size=${heapMb}`, "--expose-gc", "--input-type=module", "-e", script];
  const { stdout } = await run(process.execPath, args, {
    cwd: PACKAGE,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 900_000,
  });
  return JSON.parse(stdout) as { runs: { id: string; points: number }[]; retained: number };
}

/** Every m0…m9 and h value in the store's history of `path`. */
async function pointsInStore(root: string, path: string): Promise<{ rows: number; points: number }> {
  const stored = await new Api({ dir: root }).run(path);
  let rows = 0;
  let points = 0;
  for await (const row of stored.scanHistory()) {
    rows++;
    for (const key of Object.keys(row)) if (KEYS.test(key)) points++;
  }
  return { rows, points };
}

describe("imports stream: a source many times the heap imports whole under a bounded heap", () => {
  for (const kind of ["tfevents", "wandb"] as const) {
    it(`${kind}: ${INPUT_BYTES >> 20} MB imported by a process with a ${HEAP_MB[kind]} MB heap, every point in the store`, async () => {
      const work = tempRoot();
      const source = kind === "tfevents" ? join(work, "logs") : join(work, "run-bench.wandb");
      const steps = Math.ceil(INPUT_BYTES / BYTES_PER_STEP[kind]);
      const made = JSON.parse((await run(process.execPath, [MAKE, kind, source, String(steps * 11), "--bulk"])).stdout) as {
        file: string;
        steps: number;
        points: number;
        bytes: number;
      };
      expect(made.bytes).toBeGreaterThanOrEqual(INPUT_BYTES);
      expect(made.bytes).toBeGreaterThanOrEqual(HEAP_MB[kind] * 1024 * 1024 * 2);
      const root = join(work, "root");
      const report = await importWithBoundedHeap(kind === "tfevents" ? "tensorboard" : "wandb", source, root, HEAP_MB[kind]);
      const id = report.runs[0]?.id as string;
      expect(report.runs).toHaveLength(1);
      expect(report.retained).toBeGreaterThan(0);
      expect(report.retained).toBeLessThan(RETAINED_MB * 1024 * 1024);
      rmSync(made.file); // the store is read next: free the disk first
      expect(await pointsInStore(root, `e/big/${id}`)).toEqual({ rows: made.steps, points: made.points });
      expect(statSync(join(root, "runlog.db")).size).toBeGreaterThan(0);
    }, 1_200_000);
  }
});
