// A plain script that calls init() once and nothing else: no timers keep its event loop
// alive, so an init() promise that never settles shows as exit code 13 instead of hiding.
// Usage: node init-outcome.mjs '<InitOptions as JSON>'
// Prints `ok <id>` (exit 0) or `error <code> <message>` (exit 2).
import { init } from "@runlog/core";

const options = JSON.parse(process.argv[2] ?? "{}");
try {
  const run = await init({ ...options, settings: { quiet: true, console: "off", disableStats: true } });
  process.stdout.write(`ok ${run.id}\n`);
  await run.finish();
} catch (error) {
  process.stdout.write(`error ${error.code ?? error.name} ${error.message}\n`);
  process.exitCode = 2;
}
