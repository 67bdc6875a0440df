import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "@runlog/core";
import { SqliteStore } from "@runlog/core/store-kit";
import { seededRandom } from "@runlog/test-support/seeded-random";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../../bin/runlog.js", import.meta.url));

/** Runs the CLI in a child; `timeoutMs` kills one that would otherwise serve forever (status null). */
function cli(args: string[], timeoutMs?: number) {
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An offline run (its log only, no store) of `steps` rows; returns its folder. */
async function offlineRun(root: string, steps: number, keys = 1): Promise<string> {
  const run = await init({
    dir: root,
    project: "cli",
    entity: "tester",
    mode: "offline",
    reinit: "create_new",
    settings: { quiet: true, console: "off", disableStats: true },
  });
  for (let i = 0; i < steps; i++) {
    const row: Record<string, number> = { loss: 1 / (i + 1) };
    for (let k = 1; k < keys; k++) row[`m${k}`] = i * k;
    run.log(row);
    // sealNow is @internal (stripped from the published types): one history frame per 1,000 steps.
    if (i % 1_000 === 999) (run as unknown as { sealNow(): void }).sealNow();
  }
  await run.finish();
  return dirname(run.dir);
}

function storedLoss(root: string, runDir: string): number[] {
  const id = runDir.split("/").pop() as string;
  const store = new SqliteStore(join(root, "runlog.db"));
  const db = store.db;
  try {
    const rows = db
      .prepare(
        `SELECT c.first_step AS first, c.last_step AS last, c.count AS count, b.steps AS steps, b.vals AS vals FROM series_chunks c
         JOIN series_keys k ON k.id = c.key_id JOIN runs r ON r.pk = k.run_pk JOIN series_blobs b ON b.id = c.blob_id
         WHERE r.run_id = ? AND k.key = 'loss' ORDER BY c.seq`,
      )
      .all(id) as { first: number; last: number; count: number; steps: Buffer; vals: Buffer }[];
    const steps: number[] = [];
    for (const row of rows) {
      // Every chunk holds exactly the points it claims (an empty steps blob means consecutive steps).
      expect(row.vals.byteLength).toBe(row.count * 8);
      const chunk =
        row.steps.byteLength === 0
          ? Array.from({ length: row.count }, (_, i) => row.first + i)
          : Array.from(new Float64Array(new Uint8Array(row.steps).buffer));
      expect([chunk.length, chunk[0], chunk[chunk.length - 1]]).toEqual([row.count, row.first, row.last]);
      steps.push(...chunk);
    }
    return steps;
  } finally {
    store.close();
  }
}

function appliedSeq(root: string): number {
  if (!existsSync(join(root, "runlog.db"))) return 0;
  const store = new SqliteStore(join(root, "runlog.db"));
  const db = store.db;
  try {
    return (db.prepare("SELECT MAX(applied_seq) AS seq FROM runs").get() as { seq: number | null }).seq ?? 0;
  } finally {
    store.close();
  }
}

/** Flips one byte in the middle of a run's log, inside a frame. */
function damageLog(runDir: string): void {
  const file = join(runDir, "attempt-0000.rlog");
  const bytes = readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] as number) ^ 0x10;
  writeFileSync(file, bytes);
}

describe("runlog sync on damaged runs", () => {
  it("sync --all syncs every good run past a bad one, warns LOG_CORRUPT for damage, and exits 1 naming the bad run", async () => {
    const root = tempRoot();
    const good = await offlineRun(root, 300);
    const broken = await offlineRun(root, 300);
    const damaged = await offlineRun(root, 20_000);
    writeFileSync(join(broken, "attempt-0000.rlog"), "this is not a transaction log");
    damageLog(damaged);
    const out = cli(["sync", "--all", "--dir", root]);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toContain(`synced ${good}`);
    expect(out.stdout).toContain(`synced ${damaged}`);
    expect(out.stdout).toMatch(/warning \[LOG_CORRUPT\]: .*attempt-0000\.rlog: bytes \d+–\d+ are damaged/);
    expect(out.stderr).toContain(broken);
    expect(out.stderr).toMatch(/could not be synced/);
    expect(storedLoss(root, good)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // The damaged run keeps every step outside the one damaged frame (1,000 steps).
    const kept = new Set(storedLoss(root, damaged));
    const lost = Array.from({ length: 20_000 }, (_, i) => i).filter((step) => !kept.has(step));
    expect(lost).toHaveLength(1_000);
    expect(lost[999]).toBe((lost[0] as number) + 999);
  }, 60_000);

  it("doctor finds a flipped value in runlog.db; sync --rebuild builds a sound store from the logs and keeps the old one", async () => {
    const root = tempRoot();
    const runDir = await offlineRun(root, 3_000);
    expect(cli(["sync", runDir]).code).toBe(0);
    expect(cli(["doctor", "--dir", root]).code).toBe(0);
    // A flipped value that SQLite itself cannot see: only the chunk checksum does.
    const store = new SqliteStore(join(root, "runlog.db"));
    const db = store.db;
    const blob = db.prepare("SELECT id, vals FROM series_blobs ORDER BY id LIMIT 1").get() as { id: number; vals: Buffer };
    blob.vals[100] = (blob.vals[100] as number) ^ 0x01;
    db.prepare("UPDATE series_blobs SET vals = ? WHERE id = ?").run(blob.vals, blob.id);
    store.close();
    const doctor = cli(["doctor", "--dir", root]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/DAMAGED/);
    expect(doctor.stdout).toMatch(/does not match its checksum/);
    expect(doctor.stdout).toContain("runlog sync --rebuild");
    const rebuilt = cli(["sync", "--rebuild", "--dir", root]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const kept = /kept the previous store as (\S+)/.exec(rebuilt.stdout)?.[1];
    expect(kept !== undefined && existsSync(kept)).toBe(true);
    expect(cli(["doctor", "--dir", root]).code).toBe(0);
    expect(storedLoss(root, runDir)).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
  }, 60_000);

  it("sync killed with SIGKILL at 8 seeded points: running it again completes it, and a third run applies nothing", async () => {
    const root = tempRoot();
    const runDir = await offlineRun(root, 100_000, 8);
    // How long a whole sync takes here (on a copy), so the kills land inside it.
    const copy = tempRoot();
    cpSync(join(root, "runs"), join(copy, "runs"), { recursive: true });
    const started = Date.now();
    expect(cli(["sync", "--all", "--dir", copy]).code).toBe(0);
    const full = Date.now() - started;
    const random = seededRandom(11);
    const delays = Array.from({ length: 8 }, () => Math.round(full * (0.1 + 0.7 * random())));
    const outcomes: string[] = [];
    for (const delay of delays) {
      const child = spawn(process.execPath, [BIN, "sync", runDir], { stdio: "ignore" });
      const timer = setTimeout(() => child.kill("SIGKILL"), delay);
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
      clearTimeout(timer);
      outcomes.push(`${delay} ms: ${signal ?? `exit ${code}`}, applied seq ${appliedSeq(root)}`);
    }
    const context = `a full sync takes ${full} ms; ${outcomes.join("; ")}`;
    // Most kills land while sync runs (the rest after it finished): that is what this test is about.
    expect(outcomes.filter((o) => o.includes("SIGKILL")).length, context).toBeGreaterThanOrEqual(3);
    const finish = cli(["sync", runDir, "--json"]);
    expect(finish.code, `${context}: ${finish.stderr}`).toBe(0);
    expect(storedLoss(root, runDir), context).toEqual(Array.from({ length: 100_000 }, (_, i) => i));
    const again = JSON.parse(cli(["sync", runDir, "--json"]).stdout);
    expect(again.applied).toBe(0);
    expect(cli(["doctor", "--dir", root]).code).toBe(0);
  }, 90_000);

  it("after an unclean shutdown (a WAL left behind), sync, ui and server check the store and refuse a damaged one", async () => {
    const root = tempRoot();
    const runDir = await offlineRun(root, 3_000);
    expect(cli(["sync", runDir]).code).toBe(0);
    const path = join(root, "runlog.db");
    const bytes = readFileSync(path);
    bytes.fill(0xff, 16_384 * 2 + 8, 16_384 * 2 + 64); // a b-tree page header: damage SQLite itself detects
    writeFileSync(path, bytes);
    writeFileSync(`${path}-wal`, ""); // what a killed writer leaves
    const out = cli(["sync", runDir]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/is damaged .*runlog doctor.*\[STORE_CORRUPT\]/s);
    // The dashboard and the server refuse too, instead of serving wrong values.
    for (const command of ["ui", "server"]) {
      const served = cli([command, "--dir", root, "--port", "0"], 30_000);
      expect([command, served.code]).toEqual([command, 1]);
      expect(served.stderr).toMatch(/is damaged .*runlog doctor.*runlog sync --rebuild.*\[STORE_CORRUPT\]/s);
    }
  }, 90_000);
});
