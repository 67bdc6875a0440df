import { join } from "node:path";
import { init, Api } from "@runlog/core";
import { SqliteReader } from "../packages/core/dist/store/sqlite/sqlite-reader.js";
import { bucketChunks } from "../packages/core/dist/store/series.js";
import { QUIET, tempDir, cleanup, median } from "./util.mjs";
const N = 10_000_000;
const dir = tempDir("sp");
const run = await init({ dir, project: "bench", settings: QUIET });
for (let i = 0; i < N; i++) { run.log({ loss: Math.sin(i / 5000) }); if (i % 200_000 === 0) await new Promise((r) => setImmediate(r)); }
await run.finish();
const reader = new SqliteReader(join(dir, "runlog.db"));
const view = (await reader.listRuns(run.entity, run.project))[0];
const t = { infos: [], points: [], bucket: [] };
for (let i = 0; i < 10; i++) {
  let t0 = performance.now();
  const infos = await reader.chunkInfos(view, "history", "loss", -Infinity, Infinity);
  t.infos.push(performance.now() - t0);
  let decoded = 0; let loadMs = 0;
  t0 = performance.now();
  await bucketChunks(infos, async (seqs) => { decoded = seqs.length; const a = performance.now(); const r = await reader.chunkPoints(view, "history", "loss", seqs); loadMs = performance.now() - a; return r; }, 1000, 0, N - 1);
  t.bucket.push(performance.now() - t0 - loadMs); t.points.push(loadMs);
  if (i === 0) console.log("chunks", infos.length, "decoded", decoded);
}
console.log(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v).toFixed(1)])));
if (!process.env.KEEP) cleanup(dir); else console.log(dir);
