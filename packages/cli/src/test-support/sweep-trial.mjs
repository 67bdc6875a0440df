// A sweep trial's program for the agent tests. TRIAL_MODE says how it behaves:
// ok (log and finish), fail (exit 3), hold (start the run, say so once the store has it, then wait),
// hold-before-init (say so, wait without starting a run), ignore-term (like hold, deaf to SIGTERM).
import { init } from "@runlog/core";
import { openStoreReader } from "@runlog/core/store-kit";

const mode = process.env.TRIAL_MODE ?? "ok";
const runId = process.env.RUNLOG_RUN_ID;
const forever = () => setInterval(() => {}, 1 << 30);

if (mode === "fail") process.exit(3);
if (mode === "hold-before-init") {
  console.log(`holding ${runId}`);
  forever();
} else {
  const run = await init({ settings: { quiet: true, console: "off", disableStats: true } });
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, "").split("=")));
  if (String(run.config.a) !== args.a || String(run.config.b) !== args.b) {
    console.error(`config ${JSON.stringify(run.config)} differs from the arguments ${JSON.stringify(args)}`);
    process.exit(4);
  }
  run.log({ loss: Number(run.config.a) });
  if (mode === "ok") {
    await run.finish();
  } else {
    if (mode === "ignore-term") process.on("SIGTERM", () => {});
    // Online, the run is on the team server once its first batch arrived there.
    const online = process.env.RUNLOG_MODE === "online";
    const reader = openStoreReader(online ? { baseUrl: process.env.RUNLOG_BASE_URL } : { dir: process.env.RUNLOG_DIR });
    while ((await reader.getRun(run.entity, run.project, run.id)) === undefined) await new Promise((r) => setTimeout(r, 50));
    reader.close();
    console.log(`started ${run.id}`);
    forever();
  }
}
