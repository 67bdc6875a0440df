// `npm start`: builds the packages, runs the main job on the embedded default store (./runlog) —
// the tfjs quickstart (examples/quickstart) trains an MNIST MLP and logs it — then serves the
// dashboard on http://127.0.0.1:6006 until Ctrl-C. `npm start -- --no-serve` stops after training.
import { execSync } from "node:child_process";

execSync("npx turbo run build --output-logs=errors-only", { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });
await import(new URL("../examples/quickstart/index.mjs", import.meta.url).href);
if (process.argv.includes("--no-serve")) process.exit(0);

const { Api } = await import("@runlog/core");
const { serve } = await import("@runlog/server");
const port = Number(process.env.RUNLOG_PORT ?? 6006);
const server = await serve({ port }).catch((error) => {
  if (error?.code !== "EADDRINUSE") throw error;
  console.log(`port ${port} is busy; serving on a free port instead`);
  return serve({ port: 0 });
});
const api = new Api();
const [latest] = await api.runs("quickstart");
api.close();
console.log(`\nDashboard: ${server.url}/`);
if (latest) console.log(`This run:  ${server.url}/#/r/${latest.entity}/${latest.project}/${latest.id}`);
console.log("Ctrl-C to stop.");
await new Promise((done) => {
  process.once("SIGINT", done);
  process.once("SIGTERM", done);
});
await server.close();
