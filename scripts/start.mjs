// `npm start`: builds the packages and runs the example job on the embedded default store.
// The tfjs quickstart and the dashboard land with their issues; until then this runs a
// small synthetic training loop through the real Run and reads it back with the Api.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

execSync("npx turbo run build --output-logs=errors-only", { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });
const example = new URL("../examples/quickstart/index.mjs", import.meta.url);
if (existsSync(example)) {
  await import(example.href);
} else {
  const { Api, init } = await import("@runlog/core");
  const run = await init({ project: "quickstart", config: { lr: 0.01, epochs: 5, batchSize: 32 }, settings: { statsSamplingInterval: 1 } });
  run.defineMetric("val/loss", { summary: "min,last", goal: "minimize" });
  let loss = 2.3;
  for (let epoch = 0; epoch < 5; epoch++) {
    for (let batch = 0; batch < 200; batch++) {
      loss *= 0.995 + Math.random() * 0.004;
      run.log({ "train/loss": loss, "train/acc": 1 - loss / 2.5, epoch });
    }
    run.log({ "val/loss": loss * 1.1 }, { commit: false });
  }
  await run.finish();
  const stored = await new Api().run(run.path);
  console.log(`\nLogged run ${stored.path} (${stored.name}): state ${stored.state}, ${stored.lastStep + 1} steps.`);
  console.log("Summary:", JSON.stringify(stored.summary, null, 2));
  console.log("\nNo tfjs example yet: the quickstart (examples/quickstart) and the dashboard (`runlog ui`) come with their issues.");
  console.log('Read runs from code with `new Api().runs("<entity>/quickstart")`.');
}
