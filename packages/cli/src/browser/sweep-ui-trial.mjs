// A trial of the sweep page's store. It logs `loss` for 3 iterations (hyperband's first band), then
// waits until the sweep has judged it: until its agent heartbeated twice after the store showed
// those values (the second heartbeat read them) or asked it to stop. A trial told to stop waits
// for the agent's SIGTERM (so it ends "stopped"); the others log 3 more iterations and finish.

import { join } from "node:path";
import { init } from "@runlog/core";
import { DB_FILE, SqliteSweepBackend } from "@runlog/core/store-kit";

const BAND = 3;
const run = await init({ settings: { quiet: true, console: "off", disableStats: true } });
const lr = Number(run.config.lr);
const optimizer = run.config.optimizer?.name ?? run.config["optimizer.name"];
const batch = Number(run.config.batch ?? 32);
// No randomness: a trial's losses follow from its parameters alone.
const base = Math.abs(Math.log10(lr) + 2) * 0.3 + (optimizer === "sgd" ? 0.25 : 0) + batch / 2000;
const loss = (iteration) => base + 1 / iteration;
for (let i = 1; i <= BAND; i++) run.log({ loss: loss(i) });

const backend = new SqliteSweepBackend(join(process.env.RUNLOG_DIR, DB_FILE));
const address = { entity: run.entity, project: run.project, id: process.env.RUNLOG_SWEEP_ID };
const mine = async () => (await backend.listTrials(address)).find((trial) => trial.runId === run.id);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
while (((await mine())?.metricHistory.length ?? 0) < BAND) await tick();
let lease = (await mine()).leaseUntil;
for (let beats = 0; beats < 2; ) {
  const trial = await mine();
  if (trial.stopRequested) {
    backend.close();
    setInterval(() => {}, 1 << 30); // the agent's SIGTERM ends it
    await new Promise(() => {});
  }
  if (trial.leaseUntil > lease) {
    beats++;
    lease = trial.leaseUntil;
  }
  await tick();
}
backend.close();
for (let i = BAND + 1; i <= 2 * BAND; i++) run.log({ loss: loss(i) });
await run.finish();
