// GET /api/v1/runs/…/history over a run of ROWS rows × KEYS scalars, against the embedded store
// (`runlog ui`) and PostgreSQL (the team server), each server in its own process. Prints the p50 of
// one `limit=ROWS` request and of reading all ROWS rows page by page (following x-next-min-step),
// the server's RSS growth while answering, and the ratio to a baseline measured in the same run:
// the store's own reader decoding every chunk of every key into ROWS row objects in memory.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { init } from "@runlog/core";
import { startPostgres } from "../packages/server/dist/dev/local-postgres.js";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 10_000);
const KEYS = Number(process.env.BENCH_HISTORY_KEYS ?? 50);
const REPEATS = Number(process.env.BENCH_HISTORY_REPEATS ?? 9);
const SERVER = fileURLToPath(new URL("./server-process.mjs", import.meta.url));
const keys = Array.from({ length: KEYS }, (_, k) => `metric_${String(k).padStart(2, "0")}`);

async function logRun(where) {
  const run = await init({ ...where, project: "bench", entity: "hist", settings: { ...QUIET, finishTimeout: 600 } });
  for (let i = 0; i < ROWS; i++) {
    const data = {};
    for (let k = 0; k < KEYS; k++) data[keys[k]] = Math.sin(i * (k + 1)) * 1000;
    run.log(data);
    if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
  }
  await run.finish();
  return run.path;
}

function startServer(args) {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, SERVER, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve({ child, url: JSON.parse(out).url });
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** CPU ms (user + system, every thread) of process `pid`: what a request cost the server, however loaded the machine. */
function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ = 100
}

const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

/** Every row, page by page; returns [rows, pages]. */
async function readAll(url, path) {
  let rows = 0;
  let pages = 0;
  for (let minStep = 0; ; pages++) {
    const response = await fetch(`${url}/api/v1/runs/${path}/history?limit=${ROWS}&minStep=${minStep}`);
    if (!response.ok) throw new Error(`history: ${response.status} ${await response.text()}`);
    rows += (await response.json()).length;
    const next = response.headers.get("x-next-min-step");
    if (next === null) return [rows, pages + 1];
    minStep = Number(next);
  }
}

async function measure(name, serverArgs, path) {
  const { child, url } = await startServer(serverArgs);
  try {
    await readAll(url, path); // warm-up: module code, prepared statements, caches
    const before = rssOf(child.pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid))), 5);
    const one = [];
    const all = [];
    const cpu = [];
    let counted = [0, 0];
    let firstRows = 0;
    for (let i = 0; i < REPEATS; i++) {
      let t0 = performance.now();
      const response = await fetch(`${url}/api/v1/runs/${path}/history?limit=${ROWS}`);
      firstRows = (await response.json()).length;
      one.push(performance.now() - t0);
      t0 = performance.now();
      const cpu0 = cpuMsOf(child.pid);
      counted = await readAll(url, path);
      all.push(performance.now() - t0);
      cpu.push(cpuMsOf(child.pid) - cpu0);
    }
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(child.pid));
    if (counted[0] !== ROWS) throw new Error(`${name}: read ${counted[0]} rows, expected ${ROWS}`);
    return { one: median(one), all: median(all), cpu: median(cpu), firstRows, pages: counted[1], growth: peak - before, before };
  } finally {
    child.kill("SIGTERM");
  }
}

/** Baseline: the store's reader decodes every chunk of every key and assembles ROWS row objects. */
async function baseline(reader, path) {
  const [entity, project, id] = path.split("/");
  const view = await reader.getRun(entity, project, id);
  const times = [];
  const cpu = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const rows = new Map();
    for (const key of await reader.seriesKeys(view, "history")) {
      const infos = await reader.chunkInfos(view, "history", key, -Infinity, Infinity);
      const parts = await reader.chunkPoints(
        view,
        "history",
        key,
        infos,
        Array.from({ length: infos.length }, (_, c) => c),
      );
      for (const part of parts) {
        for (let j = 0; j < part.steps.length; j++) {
          const step = part.steps[j];
          let row = rows.get(step);
          if (row === undefined) rows.set(step, (row = { _step: step }));
          row[key] = part.values[j];
        }
      }
    }
    if (rows.size !== ROWS) throw new Error(`baseline read ${rows.size} rows`);
    times.push(performance.now() - t0);
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1000);
  }
  return { ms: median(times), cpu: median(cpu) };
}

const dirs = [tempDir("history-local"), tempDir("history-team")];
const postgres = await startPostgres();
try {
  const localPath = await logRun({ dir: dirs[0] });
  const storeUrl = await postgres.createDatabase("history");
  const team = await startServer([dirs[1], storeUrl]);
  const teamPath = await logRun({ mode: "online", baseUrl: team.url });
  team.child.kill("SIGTERM");
  await new Promise((r) => team.child.on("exit", r));

  const { SqliteReader } = await import("../packages/core/dist/store/sqlite/sqlite-reader.js");
  const sqlite = new SqliteReader(join(dirs[0], "runlog.db"));
  const localBase = await baseline(sqlite, localPath);
  sqlite.close();
  const pg = (await import("pg")).default;
  const { PgReader } = await import("../packages/server/dist/postgres/pg-reader.js");
  const pool = new pg.Pool({ connectionString: storeUrl });
  const teamBase = await baseline(new PgReader(pool), teamPath);
  await pool.end();

  const local = await measure("embedded", [dirs[0]], localPath);
  const online = await measure("postgres", [dirs[1], storeUrl], teamPath);
  console.log(`INFO  ${ROWS} rows × ${KEYS} keys, medians of ${REPEATS} (machine load shared)`);
  for (const [name, m, base] of [
    ["embedded (runlog ui)", local, localBase],
    ["postgres (team server)", online, teamBase],
  ]) {
    console.log(
      `INFO  ${name}: limit=${ROWS} → ${m.firstRows} rows in ${m.one.toFixed(0)} ms; all ${ROWS} rows (${m.pages} pages) ${m.all.toFixed(0)} ms ` +
        `(server CPU ${m.cpu.toFixed(0)} ms); baseline (reader → rows in memory) ${base.ms.toFixed(0)} ms (CPU ${base.cpu.toFixed(0)} ms) → ` +
        `${(m.all / base.ms).toFixed(2)}× its time, ${(m.cpu / base.cpu).toFixed(2)}× its CPU; server RSS ${m.before.toFixed(0)} MB + ${m.growth.toFixed(0)} MB`,
    );
    report(
      `history ${ROWS} × ${KEYS}, ${name}`,
      m.all.toFixed(0),
      "ms",
      "≤ 200 ms, RSS growth ≤ 50 MB",
      m.all <= 200 && m.growth <= 50,
      `RSS +${m.growth.toFixed(0)} MB`,
    );
  }
} finally {
  await postgres.stop();
  for (const dir of dirs) cleanup(dir);
}
