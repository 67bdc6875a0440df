// finish()'s drain line as a user's terminal or log sees it: argv[2] "tty" or "plain" switches
// process.stderr.isTTY; a clock steps 2 s per update (as the pipeline reports) while 30,000 points drain.
import { drainProgress } from "../../../dist/run/drain-progress.js";

process.stderr.isTTY = process.argv[2] === "tty";
let clock = 1_000_000;
const progress = drainProgress(process.stderr, 5_000, () => clock);
for (const pending of [30_000, 20_000, 10_000, 5_000]) {
  progress.update(pending);
  clock += 2_000;
}
progress.done();
process.stderr.write("runlog: run finished\n");
