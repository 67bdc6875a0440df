// Sustained ingest: run.log → store (through finish), against raw better-sqlite3 chunk-blob inserts and a
// one-row-per-point table, all measured here in the same run.
import { join } from "node:path";
import { init } from "@runlog/core";
import Database from "better-sqlite3";
import { cleanup, median, QUIET, report, row, tempDir } from "./util.mjs";

const STEPS = 100_000;
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

const raw = [];
const rows = [];
const ours = [];
for (let i = 0; i < 3; i++) {
  raw.push(rawChunks());
  rows.push(rawRowPerPoint());
  ours.push(await runlogIngest());
}
const [r, n, o] = [median(raw), median(rows), median(ours)];
const fmt = (x) => `${(x / 1e6).toFixed(2)} M points/s`;
console.log(`ingest of ${POINTS / 1e6} M points (medians of 3): runlog ${fmt(o)}, raw chunk blobs ${fmt(r)}, one row per point ${fmt(n)}`);
report("ingest vs raw better-sqlite3 chunk blobs", `${((100 * o) / r).toFixed(0)}%`, "", "≥ 80 %", o >= 0.8 * r, fmt(o));
report("ingest vs one-row-per-point table", `${(o / n).toFixed(1)}×`, "", "≥ 10×", o >= 10 * n);
