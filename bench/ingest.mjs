// Ingest: run.log → store (through finish), against raw better-sqlite3 chunk-blob inserts and a
// one-row-per-point table, all measured here in the same run.
// - End to end (issue 23): 200 k `run.log` calls of 10 scalars from the moment init() resolves (the store
//   worker may still be starting) until finish() resolves, against the tight-loop limit: the same row objects
//   turned into Float64 columns and inserted as chunk blobs in one transaction (see tightLoop).
// - Sustained (the earlier figure): the clock starts once the worker is up; its "raw" baseline builds rows
//   and commits small transactions inside the timed part, so it is a looser bar than the tight loop.
import { join } from "node:path";
import { init } from "@runlog/core";
import Database from "better-sqlite3";
import { cleanup, median, QUIET, report, row, tempDir, threadCpuMs } from "./util.mjs";

const STEPS = 100_000;
const E2E_STEPS = 200_000;
const KEYS = 10;
const POINTS = STEPS * KEYS;

function rawChunks() {
  const dir = tempDir("raw");
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE chunks (id INTEGER PRIMARY KEY, key_id INT, seq INT, first_step REAL, last_step REAL, count INT, min REAL, max REAL, first_value REAL, last_value REAL, steps BLOB, vals BLOB, UNIQUE(key_id, seq))",
  );
  const insert = db.prepare(
    "INSERT INTO chunks (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps, vals) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
  );
  const t0 = performance.now();
  const CHUNK = 1024;
  const tx = db.transaction((key, from) => {
    for (let start = from; start < Math.min(STEPS, from + 100 * CHUNK); start += CHUNK) {
      const n = Math.min(CHUNK, STEPS - start);
      const steps = new Float64Array(n);
      const vals = new Float64Array(n);
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        steps[i] = start + i;
        const v = row(start + i)[`m${key}`];
        vals[i] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      insert.run(
        key,
        start / CHUNK,
        steps[0],
        steps[n - 1],
        n,
        min,
        max,
        vals[0],
        vals[n - 1],
        Buffer.from(steps.buffer),
        Buffer.from(vals.buffer),
      );
    }
  });
  for (let key = 0; key < KEYS; key++) for (let from = 0; from < STEPS; from += 100 * CHUNK) tx(key, from);
  // Timed until the last commit, as runlog's finish() (both leave the close-time WAL checkpoint out).
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  cleanup(dir);
  return POINTS / seconds;
}

/** The rows a training loop hands over, made before any clock starts (both sides consume the same objects). */
const E2E_ROWS = Array.from({ length: E2E_STEPS }, (_, i) => row(i));

/**
 * The tight-loop limit: the same E2E_ROWS turned into Float64 columns and inserted as 1,024-point chunk
 * blobs, in one transaction: the least any logger must do with them in this process. `prepared: true`
 * times the inserts alone (columns and blobs made beforehand): SQLite's floor, printed for reference.
 */
function tightLoop({ prepared }) {
  const dir = tempDir("tight");
  const db = new Database(join(dir, "tight.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE chunks (id INTEGER PRIMARY KEY, key_id INT, seq INT, first_step REAL, last_step REAL, count INT, min REAL, max REAL, first_value REAL, last_value REAL, steps BLOB, vals BLOB, UNIQUE(key_id, seq))",
  );
  const insert = db.prepare(
    "INSERT INTO chunks (key_id, seq, first_step, last_step, count, min, max, first_value, last_value, steps, vals) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
  );
  const CHUNK = 1024;
  const names = Array.from({ length: KEYS }, (_, k) => `m${k}`);
  const columnsOf = () => {
    const steps = new Float64Array(E2E_STEPS);
    const columns = names.map(() => new Float64Array(E2E_STEPS));
    for (let s = 0; s < E2E_STEPS; s++) {
      steps[s] = s;
      const r = E2E_ROWS[s];
      for (let k = 0; k < KEYS; k++) columns[k][s] = r[names[k]];
    }
    return { steps, columns };
  };
  const insertAll = ({ steps, columns }) =>
    db.transaction(() => {
      for (let k = 0; k < KEYS; k++) {
        for (let start = 0; start < E2E_STEPS; start += CHUNK) {
          const end = Math.min(E2E_STEPS, start + CHUNK);
          const vals = columns[k].subarray(start, end);
          let min = Infinity;
          let max = -Infinity;
          for (const v of vals) {
            if (v < min) min = v;
            if (v > max) max = v;
          }
          insert.run(
            k,
            start / CHUNK,
            start,
            end - 1,
            end - start,
            min,
            max,
            vals[0],
            vals[vals.length - 1],
            Buffer.from(steps.buffer, start * 8, (end - start) * 8),
            Buffer.from(vals.buffer, vals.byteOffset, vals.byteLength),
          );
        }
      }
    })();
  const ready = prepared ? columnsOf() : undefined;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  insertAll(ready ?? columnsOf());
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  db.close();
  cleanup(dir);
  return { pointsPerSecond: (E2E_STEPS * KEYS) / seconds, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** End to end as a user sees it: init() resolved, E2E_STEPS log calls, finish(); returns points/s and finish ms. */
async function runlogEndToEnd() {
  const dir = tempDir("e2e");
  const before = threadCpuMs();
  const run = await init({ dir, project: "bench", settings: QUIET });
  const t0 = performance.now();
  for (let i = 0; i < E2E_STEPS; i++) run.log(E2E_ROWS[i]);
  const t1 = performance.now();
  await run.finish();
  const t2 = performance.now();
  // CPU by thread: the run's own (this one) and the busiest other one (the store worker; GC helpers use little).
  const after = threadCpuMs();
  const used = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)]);
  const mainMs = used.find(([tid]) => tid === process.pid)?.[1] ?? Number.NaN;
  const workerMs = Math.max(0, ...used.filter(([tid]) => tid !== process.pid).map(([, ms]) => ms));
  await new Promise((r) => setTimeout(r, 1000)); // the worker's close-time checkpoint, outside the next baseline
  cleanup(dir);
  return { pointsPerSecond: (E2E_STEPS * KEYS) / ((t2 - t0) / 1000), finishMs: t2 - t1, mainMs, workerMs };
}

function rawRowPerPoint() {
  const dir = tempDir("rows");
  const db = new Database(join(dir, "rows.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE metrics (run INT, key TEXT, step INT, value REAL); CREATE INDEX by_key ON metrics (run, key, step)");
  const insert = db.prepare("INSERT INTO metrics VALUES (1, ?, ?, ?)");
  const steps = STEPS / 5; // a fifth of the points: this layout is slow
  const t0 = performance.now();
  const tx = db.transaction((from) => {
    for (let s = from; s < from + 100; s++) {
      const r = row(s);
      for (let k = 0; k < KEYS; k++) insert.run(`m${k}`, s, r[`m${k}`]);
    }
  });
  for (let from = 0; from < steps; from += 100) tx(from);
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  cleanup(dir);
  return (steps * KEYS) / seconds;
}

async function runlogIngest() {
  const dir = tempDir("runlog");
  const run = await init({ dir, project: "bench", settings: QUIET });
  // Sustained ingest: start the clock once the store worker is up (its ~30 ms start is init's cost).
  run.log(row(0));
  while ((await run.status()).syncItemsPending > 0) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) {
    run.log(row(i));
    if (i % 10_000 === 0) await new Promise((r) => setImmediate(r));
  }
  await run.finish();
  const seconds = (performance.now() - t0) / 1000;
  // The worker checkpoints and exits after finish(); let it finish before the next baseline runs.
  await new Promise((r) => setTimeout(r, 1000));
  cleanup(dir);
  // Each row also stores _runtime and _timestamp: count only the user's points, as the baselines do.
  return POINTS / seconds;
}

const TRIALS = 5;
const raw = [];
const rows = [];
const ours = [];
const tight = [];
const floor = [];
const tightCpu = [];
const mainCpu = [];
const workerCpu = [];
const e2e = [];
const finishes = [];
for (let i = 0; i < TRIALS; i++) {
  const limit = tightLoop({ prepared: false });
  tight.push(limit.pointsPerSecond);
  tightCpu.push(limit.cpuMs);
  floor.push(tightLoop({ prepared: true }).pointsPerSecond);
  const end = await runlogEndToEnd();
  e2e.push(end.pointsPerSecond);
  finishes.push(end.finishMs);
  mainCpu.push(end.mainMs);
  workerCpu.push(end.workerMs);
  raw.push(rawChunks());
  rows.push(rawRowPerPoint());
  ours.push(await runlogIngest());
}
const [r, n, o] = [median(raw), median(rows), median(ours)];
const [t, e, f] = [median(tight), median(e2e), median(finishes)];
const fmt = (x) => `${(x / 1e6).toFixed(2)} M points/s`;
console.log(
  `end to end, ${(E2E_STEPS * KEYS) / 1e6} M points (medians of ${TRIALS}): runlog ${fmt(e)} (finish() ${f.toFixed(0)} ms after the loop), tight-loop limit from the same rows ${fmt(t)} (inserts of prepared blobs alone: ${fmt(median(floor))})`,
);
console.log(
  `CPU time (medians): tight loop ${median(tightCpu).toFixed(0)} ms; runlog's thread ${median(mainCpu).toFixed(0)} ms (init to finish), its store worker ${median(workerCpu).toFixed(0)} ms, in parallel (on a shared machine the wall figures above measure the scheduler too)`,
);
console.log(
  `sustained ingest of ${POINTS / 1e6} M points (medians of ${TRIALS}): runlog ${fmt(o)}, raw chunk blobs ${fmt(r)}, one row per point ${fmt(n)}`,
);
report("end to end vs the tight-loop chunk-insert limit", `${((100 * e) / t).toFixed(0)}%`, "", "≥ 80 %", e >= 0.8 * t, fmt(e));
report(`finish() after a ${(E2E_STEPS * KEYS) / 1e6} M-point loop`, f.toFixed(0), "ms", "≤ 100 ms", f <= 100);
report(
  "sustained ingest vs raw chunk blobs (rows built in the timed part)",
  `${((100 * o) / r).toFixed(0)}%`,
  "",
  "≥ 80 %",
  o >= 0.8 * r,
  fmt(o),
);
report("ingest vs one-row-per-point table", `${(o / n).toFixed(1)}×`, "", "≥ 10×", o >= 10 * n);
