import { init } from "@runlog/core";
import { QUIET, cleanup, row, tempDir } from "./util.mjs";
for (let rep = 0; rep < 3; rep++) {
  const dir = tempDir("fp");
  const run = await init({ dir, settings: QUIET });
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) { run.log(row(i)); if (i % 10_000 === 0) await new Promise((r) => setImmediate(r)); }
  const t1 = performance.now();
  const st = await run.status();
  await run.finish();
  const t2 = performance.now();
  console.log(`loop ${(t1 - t0).toFixed(0)} ms, pending at finish ${st.syncItemsPending}, finish ${(t2 - t1).toFixed(0)} ms`);
  cleanup(dir);
}
