// One writer of a shared-mode run. Usage:
//   node shared-writer.mjs <root> <id> <label> <primary 0|1> <steps | "forever">
// Logs <steps> rows { loss: rank·10⁶ + i, i } (rank: the label's digits), each writer with its
// own _step from 0, then finishes and prints "done". "forever" logs until killed, printing the
// count every 1,000 rows (and sleeping 5 ms, so the pipeline seals and the store applies as it goes). Before finishing it waits for
// stdin to close when <steps> ends in "+wait". An init error prints "error <code>" and exits 2.
import { init } from "@runlog/core";

const [root, id, label, primary, steps] = process.argv.slice(2);
const rank = Number(label.replace(/\D/g, "")) || 0;
let run;
try {
  run = await init({
    dir: root,
    entity: "tester",
    project: "shared",
    id,
    mode: "shared",
    label,
    primary: primary === "1",
    config: { [`lr_${label}`]: rank, world: 4 },
    settings: { quiet: true, console: "off", disableStats: true },
  });
} catch (error) {
  process.stdout.write(`error ${error.code ?? error.name}\n`);
  process.exit(2);
}
// The run record is in the store before anything is logged (so a kill finds this writer known).
while ((await run.status()).syncItemsPending > 0) await new Promise((resolve) => setTimeout(resolve, 5));
process.stdout.write("started\n");
const [count, wait] = steps.split("+");
if (count === "forever") {
  for (let i = 0; ; i++) {
    run.log({ loss: rank * 1_000_000 + i, i });
    if (i % 1000 === 999) {
      process.stdout.write(`${i + 1}\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
const n = Number(count);
for (let i = 0; i < n; i++) run.log({ loss: rank * 1_000_000 + i, i });
if (wait === "wait") {
  process.stdout.write("logged\n");
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on("end", resolve));
}
await run.finish();
process.stdout.write("done\n");
process.exit(0);
