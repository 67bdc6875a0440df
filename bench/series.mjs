// series(key, { buckets: 1000 }) over a 10 M-point series with injected spikes, against a naive full scan.
import { join } from "node:path";
import { Api, init } from "@runlog/core";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const N = 10_000_000;
const dir = tempDir("series");
const run = await init({ dir, project: "bench", settings: QUIET });
const spikes = new Map();
for (let k = 0; k < 20; k++) spikes.set(Math.floor(((k + 0.5) * N) / 20) + k * 997, 1000 + k);
for (let i = 0; i < N; i++) {
  run.log({ loss: spikes.get(i) ?? Math.sin(i / 5000) });
  if (i % 200_000 === 0) await new Promise((r) => setImmediate(r));
}
await run.finish();

const api = new Api({ dir });
const stored = await api.run(run.path);
const times = [];
let result;
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  result = await stored.series("loss", { buckets: 1000 });
  times.push(performance.now() - t0);
}
const found = [...spikes.values()].filter((v) => result.max.includes(v)).length;
const zoomTimes = [];
for (let i = 0; i < 10; i++) {
  const from = Math.floor(Math.random() * N * 0.9);
  const t0 = performance.now();
  await stored.series("loss", { buckets: 1000, range: [from, from + N / 10] });
  zoomTimes.push(performance.now() - t0);
}
// The same query over HTTP, as the dashboard asks for it (server-side time plus the transfer).
const { serve } = await import("@runlog/server");
const server = await serve({ dir, port: 0 });
const seriesUrl = `${server.url}/api/v1/runs/${stored.entity}/${stored.project}/${stored.id}/series?key=loss&buckets=1000`;
const httpTimes = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  await (await fetch(seriesUrl)).text();
  httpTimes.push(performance.now() - t0);
}
await server.close();
// Baseline: decode every chunk and bucket every point.
const naiveTimes = [];
const { SqliteReader } = await import("../packages/core/dist/store/sqlite/sqlite-reader.js");
const { bucketPoints } = await import("../packages/core/dist/store/series.js");
const reader = new SqliteReader(join(dir, "runlog.db"));
const view = await reader.getRun(stored.entity, stored.project, stored.id);
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const chunks = await reader.chunkInfos(view, "history", "loss", -Infinity, Infinity);
  const parts = await reader.chunkPoints(
    view,
    "history",
    "loss",
    chunks,
    Array.from({ length: chunks.length }, (_, i) => i),
  );
  const xs = new Float64Array(N);
  const ys = new Float64Array(N);
  let at = 0;
  for (const p of parts) {
    xs.set(p.steps, at);
    ys.set(p.values, at);
    at += p.steps.length;
  }
  bucketPoints(xs, ys, 1000, 0, N - 1);
  naiveTimes.push(performance.now() - t0);
}
reader.close();
api.close();
cleanup(dir);
const ms = median(times);
console.log(
  `series over ${N / 1e6} M points, 1000 buckets: ${ms.toFixed(1)} ms (median of 20); zoomed to 10 %: ${median(zoomTimes).toFixed(1)} ms; naive full scan ${median(naiveTimes).toFixed(0)} ms → ${(median(naiveTimes) / ms).toFixed(0)}× faster; spikes kept ${found}/20`,
);
report("series 10 M points / 1000 buckets", ms.toFixed(1), "ms", "≤ 20 ms, all spikes", ms <= 20 && found === 20, `spikes ${found}/20`);
const httpMs = median(httpTimes);
console.log(
  `series over HTTP (what the dashboard waits for, transfer included): ${httpMs.toFixed(1)} ms, ${(httpMs / ms).toFixed(2)}× the server-side time`,
);
