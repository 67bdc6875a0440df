// A child that logs until killed, optionally after run.markPreempting(); prints "ready" once the
// run has logged. Usage: node preempt-child.mjs <root> <runId> <preempt|control>
import { init } from "@runlog/core";

const [root, id, kind] = process.argv.slice(2);
const run = await init({
  dir: root,
  project: "test",
  entity: "tester",
  id,
  settings: { quiet: true, console: "off", disableStats: true, flushInterval: 0.2, crashTimeout: 1 },
});
if (kind === "preempt") run.markPreempting();
run.log({ i: 0 });
process.stdout.write("ready\n");
setInterval(() => run.log({ tick: Date.now() }), 10);
