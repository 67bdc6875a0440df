import { init } from "@runlog/core";
import { QUIET, cleanup, row, tempDir } from "./util.mjs";
const dir = tempDir("rssp");
const run = await init({ dir, project: "bench", settings: QUIET });
const mb = (x) => (x / 2 ** 20).toFixed(0);
const show = (label) => { const m = process.memoryUsage(); console.log(label, "rss", mb(m.rss), "heapUsed", mb(m.heapUsed), "heapTotal", mb(m.heapTotal), "external", mb(m.external), "arrayBuffers", mb(m.arrayBuffers)); };
show("start");
for (let i = 0; i < 1_000_000; i++) {
  run.log(row(i));
  if (i % 20_000 === 0) await new Promise((r) => setImmediate(r));
  if (i % 200_000 === 0) show(`i=${i}`);
}
show("loop done");
await run.finish();
globalThis.gc?.();
show("after finish+gc");
cleanup(dir);
