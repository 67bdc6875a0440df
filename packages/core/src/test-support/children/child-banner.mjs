// A child process whose run prints the init banner and the finish summary (the parent reads stderr).
// Usage: node child-banner.mjs <root> <mode> [settings JSON]; BANNER_STEPS=N logs N steps (default 3).
import { init } from "@runlog/core";

const [root, mode, settings] = process.argv.slice(2);
const run = await init({
  dir: root,
  project: "banner",
  entity: "tester",
  mode,
  settings: { console: "off", disableStats: true, ...(settings ? JSON.parse(settings) : {}) },
});
const steps = Number(process.env.BANNER_STEPS || 3);
for (let step = 0; step < steps; step++) run.log({ loss: 1 / (step + 1), acc: step / 4 });
process.stdout.write(`${JSON.stringify({ id: run.id, name: run.name, url: run.url })}\n`);
await run.finish();
