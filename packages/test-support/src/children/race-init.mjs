// One of several processes racing init({ id, resume: "allow" }) for the same run.
// Usage: node race-init.mjs <root> <id> <barrier file> <writer index>
// Prints "ready" and waits for the barrier file (so all contenders start at once), then:
// the winner logs 100 rows tagged with its index, prints "won" and keeps the run (and its
// lock) until its stdin closes, then finishes; a loser prints "error <code>" and exits 2.
import { existsSync } from "node:fs";
import { init } from "@runlog/core";

const [root, id, barrier, writer] = process.argv.slice(2);
process.stdout.write("ready\n");
const nap = new Int32Array(new SharedArrayBuffer(4));
while (!existsSync(barrier)) Atomics.wait(nap, 0, 0, 1);
let run;
try {
  run = await init({
    dir: root,
    entity: "tester",
    project: "race",
    id,
    resume: "allow",
    settings: { quiet: true, console: "off", disableStats: true },
  });
} catch (error) {
  process.stdout.write(`error ${error.code ?? error.name}\n`);
  process.exit(2);
}
for (let i = 0; i < 100; i++) run.log({ writer: Number(writer), i });
process.stdout.write("won\n");
process.stdin.resume();
process.stdin.on("end", async () => {
  await run.finish();
  process.exit(0);
});
