// One client of bench/team.mjs: node team-client.mjs <online|local> <baseUrl|dir> <steps>
// Logs `steps` rows of 10 scalars in quick bursts, then prints {points, start, end} (Unix ms).
import { init } from "@runlog/core";
import { QUIET, row } from "./util.mjs";

const [mode, target, stepsArg] = process.argv.slice(2);
const steps = Number(stepsArg);
const where = mode === "online" ? { baseUrl: target } : { dir: target };
const run = await init({ mode, ...where, project: "bench", entity: "team", settings: { ...QUIET, finishTimeout: 600 } });
const start = Date.now();
// Paced like training: bursts of 500 steps, then a short pause in which the pipeline seals a batch.
for (let i = 0; i < steps; i++) {
  run.log(row(i));
  if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 25));
}
await run.finish();
process.stdout.write(`${JSON.stringify({ points: steps * 10, start, end: Date.now() })}\n`);
