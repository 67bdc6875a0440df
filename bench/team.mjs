// Team scale: CLIENTS processes log concurrently to one runlog server on PostgreSQL. Compared in
// the same run with the same processes on the embedded store (one shared SQLite file), and with
// raw `pg` COPY of the same chunks (the physical limit of the database). p99 ingest latency is
// the server's time per batch request.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { CHUNK_POINTS, chunkStats, encodeSteps } from "@runlog/core/store-kit";
import pg from "pg";
import copyStreams from "pg-copy-streams";
import { startPostgres } from "../packages/server/dist/dev/local-postgres.js";
import { serve } from "../packages/server/dist/index.js";
import { cleanup, percentile, report, row, tempDir } from "./util.mjs";

const CLIENTS = Number(process.env.BENCH_TEAM_CLIENTS ?? 16);
const STEPS = Number(process.env.BENCH_TEAM_STEPS ?? 20_000);
const CLIENT = fileURLToPath(new URL("./team-client.mjs", import.meta.url));
const SERVER = fileURLToPath(new URL("./server-process.mjs", import.meta.url));

const TICKS_PER_S = 100; // USER_HZ on Linux

/** CPU seconds (user + system) of every running PostgreSQL process: the database's side of the work. */
function postgresCpu() {
  let ticks = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {} // exited meanwhile
  }
  return ticks / TICKS_PER_S;
}

/** CPU seconds (user + system) of process `pid`, every thread. */
function cpuOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/**
 * A proxy in front of `target` that keeps every acknowledged `/records` body, per run in the
 * order sent, so the same batches can be replayed at a server with no clients competing for CPU.
 */
async function capturingProxy(target) {
  const batches = new Map();
  const proxy = createServer(async (request, response) => {
    const parts = [];
    for await (const part of request) parts.push(part);
    const body = Buffer.concat(parts);
    const headers = {};
    for (const name of ["content-type", "content-encoding", "authorization"])
      if (request.headers[name]) headers[name] = request.headers[name];
    const answer = await fetch(`${target}${request.url}`, { method: request.method, headers, body: body.length > 0 ? body : undefined });
    const reply = Buffer.from(await answer.arrayBuffer());
    if (request.url.endsWith("/records") && answer.ok) {
      if (!batches.has(request.url)) batches.set(request.url, []);
      batches.get(request.url).push({ headers, body });
    }
    response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(reply);
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${proxy.address().port}`, batches, close: () => new Promise((resolve) => proxy.close(resolve)) };
}

function startServerProcess(dir, store) {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server processes.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, SERVER, dir, store], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve({ child, url: JSON.parse(out).url });
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** The captured batches sent again to a fresh server process and database: every run at once, each run's batches in order. */
async function replay(batches, dir, store) {
  const { child, url } = await startServerProcess(dir, store);
  try {
    const [serverBefore, pgBefore] = [cpuOf(child.pid), postgresCpu()];
    const started = Date.now();
    await Promise.all(
      [...batches].map(async ([path, list]) => {
        for (const { headers, body } of list) {
          const answer = await fetch(`${url}${path}`, { method: "POST", headers, body });
          if (!answer.ok) throw new Error(`replay: ${answer.status} ${await answer.text()}`);
          await answer.arrayBuffer();
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    return { rate: (CLIENTS * STEPS * 10) / seconds, server: cpuOf(child.pid) - serverBefore, pg: postgresCpu() - pgBefore };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.on("exit", resolve));
  }
}

/** CPU seconds of this process, every thread (the server's main thread, zlib's pool, workers). */
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

function client(mode, target) {
  const child = spawn(process.execPath, [CLIENT, mode, target, String(STEPS)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}`)))),
  );
}

/** Aggregate points per second from the first client's first log to the last client's finish. */
async function clients(mode, target, spawned = () => {}) {
  const running = Array.from({ length: CLIENTS }, () => client(mode, target));
  spawned(); // spawning is the bench's cost, not the server's
  const results = await Promise.all(running);
  const points = results.reduce((sum, r) => sum + r.points, 0);
  const seconds = (Math.max(...results.map((r) => r.end)) - Math.min(...results.map((r) => r.start))) / 1000;
  return points / seconds;
}

/** The same chunks the server writes (10 keys per client, CHUNK_POINTS per chunk), COPYed by CLIENTS connections. */
async function rawCopy(url) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE TABLE raw_chunks (key_id BIGINT, seq INT, first_step FLOAT8, last_step FLOAT8, count INT, min FLOAT8,
    max FLOAT8, first_value FLOAT8, last_value FLOAT8, steps BYTEA, vals BYTEA, PRIMARY KEY (key_id, seq))`);
  await admin.end();
  const lines = (clientIndex) => {
    const out = [];
    for (let k = 0; k < 10; k++) {
      for (let seq = 0; seq * CHUNK_POINTS < STEPS; seq++) {
        const count = Math.min(CHUNK_POINTS, STEPS - seq * CHUNK_POINTS);
        const steps = new Float64Array(count);
        const values = new Float64Array(count);
        for (let i = 0; i < count; i++) {
          steps[i] = seq * CHUNK_POINTS + i;
          values[i] = row(steps[i])[`m${k}`];
        }
        const s = chunkStats(steps, values, count);
        const hex = (bytes) => `\\\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
        out.push(
          [
            clientIndex * 10 + k,
            seq,
            s.firstStep,
            s.lastStep,
            count,
            s.min,
            s.max,
            s.firstValue,
            s.lastValue,
            hex(encodeSteps(steps, count)),
            hex(values),
          ].join("\t"),
        );
      }
    }
    return `${out.join("\n")}\n`;
  };
  const payloads = Array.from({ length: CLIENTS }, (_, i) => lines(i));
  const connections = await Promise.all(
    payloads.map(async () => {
      const connection = new pg.Client({ connectionString: url });
      await connection.connect();
      return connection;
    }),
  );
  const cpu = postgresCpu();
  const started = Date.now();
  await Promise.all(
    payloads.map(
      (text, i) =>
        new Promise((resolve, reject) => {
          const stream = connections[i].query(copyStreams.from("COPY raw_chunks FROM STDIN"));
          stream.on("finish", resolve);
          stream.on("error", reject);
          stream.end(text);
        }),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  // Read before the connections end: an exited backend's CPU time is gone from /proc.
  const pgCpu = postgresCpu() - cpu;
  await Promise.all(connections.map((connection) => connection.end()));
  return { rate: (CLIENTS * STEPS * 10) / seconds, pgCpu };
}

const postgres = await startPostgres();
const dirs = [];
try {
  const latencies = [];
  const server = await serve({
    store: await postgres.createDatabase("bench"),
    port: 0,
    dir: dirs[dirs.push(tempDir("team-server")) - 1],
    onResponseTime: (route, status, ms) => {
      if (route.endsWith("/records") && status === 200) latencies.push(ms);
    },
  });
  let [pgBefore, ownBefore] = [0, 0];
  const online = await clients("online", server.url, () => ([pgBefore, ownBefore] = [postgresCpu(), ownCpu()]));
  const onlineCpu = { server: ownCpu() - ownBefore, pg: postgresCpu() - pgBefore };
  await server.close();
  const local = await clients("local", dirs[dirs.push(tempDir("team-local")) - 1]);
  // The same batches again, captured through a proxy, then replayed with no client processes running.
  const captureDir = dirs[dirs.push(tempDir("team-capture")) - 1];
  const captureServer = await startServerProcess(captureDir, await postgres.createDatabase("capture"));
  const proxy = await capturingProxy(captureServer.url);
  await clients("online", proxy.url);
  await proxy.close();
  captureServer.child.kill("SIGTERM");
  const replayed = await replay(proxy.batches, dirs[dirs.push(tempDir("team-replay")) - 1], await postgres.createDatabase("replay"));
  const { rate: copy, pgCpu: copyCpu } = await rawCopy(await postgres.createDatabase("raw"));
  latencies.sort((a, b) => a - b);
  const fmt = (n) => Math.round(n).toLocaleString("en-US");
  console.log(`INFO  ${CLIENTS} clients × ${STEPS} steps × 10 scalars (${fmt(CLIENTS * STEPS * 10)} points)`);
  console.log(`INFO  online → runlog server → PostgreSQL: ${fmt(online)} points/s`);
  console.log(
    `INFO  embedded store (same processes, one SQLite file): ${fmt(local)} points/s  (online is ${(online / local).toFixed(2)}×)`,
  );
  console.log(`INFO  raw pg COPY of the same chunks: ${fmt(copy)} points/s  (online is ${((100 * online) / copy).toFixed(0)} % of it)`);
  // On a machine the clients share with the server, the rates above are bound by the clients' CPU:
  // CPU spent per point is what the server (and the database work it causes) costs on its own.
  const points = CLIENTS * STEPS * 10;
  const us = (seconds) => ((1e6 * seconds) / points).toFixed(2);
  console.log(
    `INFO  CPU per point: server process ${us(onlineCpu.server)} µs + PostgreSQL ${us(onlineCpu.pg)} µs; raw COPY: PostgreSQL ${us(copyCpu)} µs ` +
      `→ the server path costs ${((onlineCpu.server + onlineCpu.pg) / copyCpu).toFixed(1)}× raw COPY's CPU (${((100 * copyCpu) / (onlineCpu.server + onlineCpu.pg)).toFixed(0)} % efficiency)`,
  );
  const batchCount = [...proxy.batches.values()].reduce((sum, list) => sum + list.length, 0);
  console.log(
    `INFO  replayed (the same ${batchCount} batches, no clients running) → server → PostgreSQL: ${fmt(replayed.rate)} points/s ` +
      `(${((100 * replayed.rate) / copy).toFixed(0)} % of raw COPY); CPU per point: server ${us(replayed.server)} µs + PostgreSQL ${us(replayed.pg)} µs`,
  );
  report("team ingest replayed, share of raw COPY", ((100 * replayed.rate) / copy).toFixed(0), "%", "≥ 50 %", replayed.rate >= copy / 2);
  console.log(
    `INFO  ingest latency per batch (${latencies.length} requests): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
} finally {
  await postgres.stop();
  for (const dir of dirs) cleanup(dir);
}
