// Team scale: CLIENTS processes log concurrently to one runlog server on PostgreSQL. Compared in
// the same run with the same processes on the embedded store (one shared SQLite file), and with
// raw `pg` COPY of the same chunks (the physical limit of the database). p99 ingest latency is
// the server's time per batch request.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CHUNK_POINTS, chunkStats, encodeSteps } from "@runlog/core/store-kit";
import pg from "pg";
import copyStreams from "pg-copy-streams";
import { startPostgres } from "../packages/server/dist/dev/local-postgres.js";
import { serve } from "../packages/server/dist/index.js";
import { cleanup, percentile, row, tempDir } from "./util.mjs";

const CLIENTS = Number(process.env.BENCH_TEAM_CLIENTS ?? 16);
const STEPS = Number(process.env.BENCH_TEAM_STEPS ?? 20_000);
const CLIENT = fileURLToPath(new URL("./team-client.mjs", import.meta.url));

function client(mode, target) {
  const child = spawn(process.execPath, [CLIENT, mode, target, String(STEPS)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}`)))),
  );
}

/** Aggregate points per second from the first client's first log to the last client's finish. */
async function clients(mode, target) {
  const results = await Promise.all(Array.from({ length: CLIENTS }, () => client(mode, target)));
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
  const started = Date.now();
  await Promise.all(
    payloads.map(async (text) => {
      const connection = new pg.Client({ connectionString: url });
      await connection.connect();
      await new Promise((resolve, reject) => {
        const stream = connection.query(copyStreams.from("COPY raw_chunks FROM STDIN"));
        stream.on("finish", resolve);
        stream.on("error", reject);
        stream.end(text);
      });
      await connection.end();
    }),
  );
  return (CLIENTS * STEPS * 10) / ((Date.now() - started) / 1000);
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
  const online = await clients("online", server.url);
  await server.close();
  const local = await clients("local", dirs[dirs.push(tempDir("team-local")) - 1]);
  const copy = await rawCopy(await postgres.createDatabase("raw"));
  latencies.sort((a, b) => a - b);
  const fmt = (n) => Math.round(n).toLocaleString("en-US");
  console.log(`INFO  ${CLIENTS} clients × ${STEPS} steps × 10 scalars (${fmt(CLIENTS * STEPS * 10)} points)`);
  console.log(`INFO  online → runlog server → PostgreSQL: ${fmt(online)} points/s`);
  console.log(
    `INFO  embedded store (same processes, one SQLite file): ${fmt(local)} points/s  (online is ${(online / local).toFixed(2)}×)`,
  );
  console.log(`INFO  raw pg COPY of the same chunks: ${fmt(copy)} points/s  (online is ${((100 * online) / copy).toFixed(0)} % of it)`);
  console.log(
    `INFO  ingest latency per batch (${latencies.length} requests): p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
} finally {
  await postgres.stop();
  for (const dir of dirs) cleanup(dir);
}
