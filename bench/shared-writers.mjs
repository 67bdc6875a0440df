// Shared mode (issue 21): aggregate ingest of one run written by 4 processes at once vs by 1, the
// same 200,000 steps × 10 metrics in total, on the embedded store. Timed from spawning the writers
// until every one of them has finished (process start, init, logging and finish() included).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { init } from "@runlog/core";
import { cleanup, median, QUIET, report, row, tempDir } from "./util.mjs";

const TOTAL_STEPS = 200_000;
const KEYS = 10;

if (process.argv[2] === "writer") {
  const [, , , dir, id, label, primary, steps] = process.argv;
  const run = await init({ dir, project: "bench", id, mode: "shared", label, primary: primary === "1", settings: QUIET });
  for (let i = 0; i < Number(steps); i++) {
    run.log(row(i));
    if (i % 10_000 === 0) await new Promise((r) => setImmediate(r));
  }
  await run.finish();
  process.exit(0);
}

async function ingest(writers) {
  const dir = tempDir(`shared-${writers}`);
  const t0 = performance.now();
  const exits = Array.from({ length: writers }, (_, n) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), "writer", dir, "bench01", `rank_${n}`, n === 0 ? "1" : "0", String(TOTAL_STEPS / writers)],
      { stdio: "inherit" },
    );
    return new Promise((resolve, reject) =>
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`)))),
    );
  });
  await Promise.all(exits);
  const seconds = (performance.now() - t0) / 1000;
  cleanup(dir);
  return (TOTAL_STEPS * KEYS) / seconds;
}

const one = [];
const four = [];
for (let i = 0; i < 3; i++) {
  one.push(await ingest(1));
  four.push(await ingest(4));
}
const [a, b] = [median(one), median(four)];
const fmt = (x) => `${(x / 1e6).toFixed(2)} M points/s`;
console.log(
  `shared-mode ingest of ${(TOTAL_STEPS * KEYS) / 1e6} M points into one run (medians of 3): 1 writer ${fmt(a)}, 4 writers ${fmt(b)}`,
);
report(
  "4 writers vs 1 writer, aggregate ingest",
  `${(b / a).toFixed(2)}×`,
  "",
  "≥ 1× (more writers never slow the run down)",
  b >= a,
  fmt(b),
);
