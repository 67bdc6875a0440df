// `npm start`: builds the packages and runs the main job on the embedded default store (./runlog):
// the tfjs quickstart (examples/quickstart) trains an MNIST MLP and logs it. The dashboard
// (`runlog ui`) comes with its issue; until then this prints how to look at the run.
import { execSync } from "node:child_process";

execSync("npx turbo run build --output-logs=errors-only", { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });
await import(new URL("../examples/quickstart/index.mjs", import.meta.url).href);
console.log("\nNo dashboard yet (`runlog ui` comes with its issue). Look at the run with:");
console.log("  npx runlog runs ls quickstart");
console.log("  npx runlog runs show <entity>/quickstart/<id>");
console.log("  npx runlog artifact ls --project quickstart");
