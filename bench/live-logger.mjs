// A run that logs slowly until killed, for bench/workspace-live.mjs. argv: dir, name, prefill steps, delay ms.
// Prints "started <id>" once its prefilled history is flushed.
import { init } from "@runlog/core";

const [dir, name, prefill = "1000", delay = "500"] = process.argv.slice(2);
const run = await init({
  dir,
  entity: "bench",
  project: "live",
  name,
  reinit: "create_new",
  settings: { quiet: true, console: "off", disableStats: true, flushInterval: 0.1 },
});
const row = (step) => ({
  "train/loss": Math.exp(-step / 500),
  "train/acc": 1 - Math.exp(-step / 500),
  "val/loss": Math.exp(-step / 400),
  lr: 0.001,
});
let step = 0;
for (; step < Number(prefill); step++) run.log(row(step));
await new Promise((done) => setTimeout(done, 500));
console.log(`started ${run.id}`);
for (;;) {
  run.log(row(step++));
  await new Promise((done) => setTimeout(done, Number(delay)));
}
