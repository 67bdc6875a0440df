// A child process that logs a run slowly, so the dashboard can be watched while it grows.
// argv: root, steps, delayMs. Prints "started <id>" once the run exists.
import { init } from "@runlog/core";

const [root, steps = "100", delay = "50"] = process.argv.slice(2);
const run = await init({
  project: "live",
  entity: "team",
  dir: root,
  name: "live-run",
  settings: { quiet: true, console: "off", disableStats: true, flushInterval: 0.05 },
});
console.log(`started ${run.id}`);
for (let step = 0; step < Number(steps); step++) {
  run.log({ "train/loss": 1 / (step + 1) });
  await new Promise((done) => setTimeout(done, Number(delay)));
}
await run.finish();
