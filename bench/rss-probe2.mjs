import { init } from "@runlog/core";
import { QUIET, cleanup, row, tempDir } from "./util.mjs";
const dir = tempDir("rssp");
const run = await init({ dir, project: "bench", settings: QUIET });
const mb = (x) => (x / 2 ** 20).toFixed(0);
const out = [];
for (let i = 0; i < 1_000_000; i++) {
  run.log(row(i));
  if (i % 20_000 === 0) { await new Promise((r) => setImmediate(r)); const m = process.memoryUsage(); out.push(`${mb(m.rss)}/${mb(m.arrayBuffers)}/${mb(m.heapTotal)}`); }
}
console.log(out.join(" "));
await run.finish();
cleanup(dir);
