import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { decodeSteps } from "../store/chunks.js";
import { openDatabase } from "../store/sqlite/database.js";
import { syncRunDir } from "../sync.js";
import { decodeJson } from "../util/json.js";

const CHILD = fileURLToPath(new URL("../test-support/children/disk-full.mjs", import.meta.url));
// Real small file systems, one per test: CI runs as root, so `mount -t tmpfs` works there.
const mounts: string[] = [];

function smallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), "runlog-full-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}

/**
 * Writes `path` until the disk has only `leave` bytes free, or refuses another byte. (The run writes
 * meanwhile, its store file too, so the room left is measured as the filler grows.)
 */
function fillUp(path: string, leave = 0): void {
  const fd = openSync(path, "w");
  try {
    if (leave > 0) {
      try {
        for (;;) {
          const { bavail, bsize } = statfsSync(dirname(path));
          const room = bavail * bsize - leave;
          if (room <= 0) return;
          writeSync(fd, Buffer.alloc(Math.min(room, 1 << 20)));
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
        return;
      }
    }
    for (const size of [1 << 20, 4096, 1]) {
      const block = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

afterAll(() => {
  for (const dir of mounts.splice(0)) {
    execFileSync("umount", ["--lazy", dir]); // lazy: a child that failed its test may still hold a file
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Lines the child prints, and a way to wait for one. */
function lines(child: ChildProcess) {
  const seen: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const waiters: [(line: string) => boolean, (line: string) => void][] = [];
  let buffer = "";
  child.stdout?.on("data", (chunk) => {
    buffer += chunk;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      seen.push(line);
      for (const [test, resolve] of waiters) if (test(line)) resolve(line);
    }
  });
  return {
    seen,
    stderrIncludes: (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (stderr.includes(text) ? resolve() : undefined);
        child.stderr?.on("data", check);
        child.on("exit", () => reject(new Error(`child exited before printing "${text}": ${stderr}`)));
        check();
      }),
    next: (prefix: string) =>
      new Promise<string>((resolve, reject) => {
        const found = seen.find((line) => line.startsWith(prefix));
        if (found !== undefined) return resolve(found);
        waiters.push([(line) => line.startsWith(prefix), resolve]);
        child.on("exit", () => reject(new Error(`child exited before "${prefix}": ${seen.join(" | ")}\n${stderr}`)));
      }),
  };
}

/** Every `loss` step the store holds, checking that each chunk holds exactly the points it claims. */
function storedSteps(root: string): { steps: number[]; summaryStep: unknown; summaryLoss: unknown } {
  const db = openDatabase(join(root, "runlog.db"));
  try {
    const chunks = db
      .prepare(
        `SELECT c.first_step AS firstStep, c.last_step AS lastStep, c.count AS count, b.steps AS steps, b.vals AS vals
         FROM series_chunks c JOIN series_keys k ON k.id = c.key_id JOIN series_blobs b ON b.id = c.blob_id
         WHERE k.key = 'loss' AND k.stream = 'history' ORDER BY c.seq`,
      )
      .all() as { firstStep: number; lastStep: number; count: number; steps: Buffer; vals: Buffer }[];
    const steps: number[] = [];
    for (const chunk of chunks) {
      const decoded = Array.from(decodeSteps(chunk.steps, chunk.firstStep, chunk.count));
      expect(decoded).toHaveLength(chunk.count);
      expect(chunk.vals.byteLength).toBe(chunk.count * 8);
      expect([decoded[0], decoded[decoded.length - 1]]).toEqual([chunk.firstStep, chunk.lastStep]);
      steps.push(...decoded);
    }
    const row = db.prepare("SELECT summary FROM runs WHERE run_id = 'full'").get() as { summary: string };
    const summary = decodeJson<Record<string, unknown>>(row.summary);
    return { steps, summaryStep: summary._step, summaryLoss: summary.loss };
  } finally {
    db.close();
  }
}

function expand(ranges: [number, number][]): Set<number> {
  const out = new Set<number>();
  for (const [from, to] of ranges) for (let s = from; s <= to; s++) out.add(s);
  return out;
}

async function trainOnFullDisk(scenario: "recover" | "still-full") {
  const disk = smallDisk();
  const root = join(disk, "runlog");
  mkdirSync(root);
  const child = spawn(process.execPath, [CHILD, root, scenario], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, FINISH_TIMEOUT: scenario === "recover" ? "30" : "1" },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const out = lines(child);
  const runDir = dirname((await out.next("dir ")).slice(4));
  // Leave the run a little room, then none: the disk fills while it trains.
  const filler = join(disk, "filler");
  fillUp(filler, 256 * 1024);
  child.stdin?.write("filled\n");
  await out.next("degraded ");
  if (scenario === "recover") {
    await out.next("waiting");
    rmSync(filler);
    child.stdin?.write("freed\n");
  }
  const code = await exited;
  if (scenario === "still-full") rmSync(filler);
  const logged = Number((await out.next("logged ")).slice(7));
  const report = JSON.parse((await out.next("report ")).slice(7));
  return { code, stderr, logged, report, runDir, root };
}

describe("a full disk during training", () => {
  it("keeps training, warns once, and loses nothing once space returns", async () => {
    const { code, stderr, logged, report, runDir, root } = await trainOnFullDisk("recover");
    expect(code, stderr).toBe(0);
    expect(stderr.match(/cannot write the transaction log/g), stderr).toHaveLength(1);
    expect(report, stderr).toEqual({ ok: true });
    // The store worker retried the batches the full disk refused: complete before any sync.
    expect(storedSteps(root).steps).toEqual(Array.from({ length: logged }, (_, i) => i));
    syncRunDir(runDir, { root });
    const { steps, summaryStep, summaryLoss } = storedSteps(root);
    expect(steps).toEqual(Array.from({ length: logged }, (_, i) => i));
    expect(summaryStep).toBe(logged - 1);
    expect(summaryLoss).toBe(1 / logged);
  }, 60_000);

  it("finishes on a still-full disk with PERSIST_FAILED naming exactly the steps the store lacks", async () => {
    const { code, stderr, logged, report, runDir, root } = await trainOnFullDisk("still-full");
    expect(code, stderr).toBe(0);
    expect(stderr.match(/cannot write the transaction log/g), stderr).toHaveLength(1);
    expect(report.code).toBe("PERSIST_FAILED");
    expect(report.details.points).toBeGreaterThan(0);
    const lost = expand(report.details.steps);
    syncRunDir(runDir, { root });
    const { steps, summaryStep } = storedSteps(root);
    const expected = Array.from({ length: logged }, (_, i) => i).filter((step) => !lost.has(step));
    expect(steps).toEqual(expected);
    // The summary never claims a step the history lacks.
    expect(summaryStep).toBe(steps[steps.length - 1]);
  }, 60_000);

  it("a run file saved live and an artifact logged on a full disk: a warning and coded errors, never a dead process or a throwing run.log", async () => {
    const disk = smallDisk();
    const root = join(disk, "runlog");
    mkdirSync(root);
    const source = mkdtempSync(join(tmpdir(), "runlog-source-"));
    const child = spawn(process.execPath, [CHILD, root, "files"], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, FINISH_TIMEOUT: "1", SOURCE_DIR: source },
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const out = lines(child);
    await out.next("dir ");
    fillUp(join(disk, "filler"));
    child.stdin?.write("filled\n");
    await out.stderrIncludes("could not save");
    child.stdin?.write("copy-failed\n");
    expect(await exited).toBe(0);
    // A coded error (the object store or its registry, whichever the full disk stops first), never a raw ENOSPC.
    expect((await out.next("artifact ")).slice(9)).toMatch(/^(PERSIST_FAILED|STORE_ERROR)$/);
    // run.log with media on a full disk returns; finish names the file it could not write.
    expect(await out.next("media ")).toBe("media logged");
    const report = JSON.parse((await out.next("report ")).slice(7));
    expect(report.code).toBe("PERSIST_FAILED");
    expect(report.details.files).toEqual([expect.stringMatching(/media\/html\/page_0_[0-9a-f]{20}\.html$/)]);
    rmSync(source, { recursive: true, force: true });
  }, 60_000);
});
