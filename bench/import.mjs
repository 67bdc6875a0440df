// Import throughput (issue 22): points/s importing a 10 M-point TensorBoard log dir and a 10 M-point
// .wandb file, each next to the source tool's own reader over the same file in the same run
// (TensorBoard's EventAccumulator and event file loader; W&B's reader `wandb leet inspect --json`,
// wandb 0.31 having no Python reader of its log any more), medians.
// BENCH_IMPORT_POINTS shrinks the size for a quick run; BENCH_IMPORT_ROUNDS sets the rounds (3).
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importRuns } from "@runlog/interop";
import { cleanup, median, tempDir } from "./util.mjs";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const PYTHON = join(REPO, ".venv", "bin", "python");
const MAKE = join(REPO, "packages", "interop", "scripts", "make-large-sources.mjs");
const POINTS = Number(process.env.BENCH_IMPORT_POINTS ?? 10_000_000);
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);

if (!existsSync(PYTHON)) {
  console.log(`MISS  import: ${PYTHON} is missing (scripts/setup.sh makes it); the source tools' readers cannot run`);
  process.exit(0);
}

const work = tempDir("import");
const rate = (points, seconds) => Math.round(points / seconds);
const python = (script, arg) =>
  JSON.parse(execFileSync(PYTHON, [join(REPO, "bench", "python", script), arg], { maxBuffer: 1 << 24 }).toString("utf8"));

/** `wandb leet inspect --json` over the file, its output consumed (history lines counted); seconds and steps. */
function leetInspect(file) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(PYTHON, ["-m", "wandb", "leet", "inspect", "--json", file], { stdio: ["ignore", "pipe", "inherit"] });
    let steps = 0;
    let tail = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text) => {
      const lines = (tail + text).split("\n");
      tail = lines.pop();
      for (const line of lines) if (line.includes('"type":"history"')) steps++;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve({ seconds: (performance.now() - started) / 1000, steps }) : reject(new Error(`leet inspect exited ${code}`)),
    );
  });
}

async function runlogSeconds(kind, source, points) {
  const times = [];
  for (let round = 0; round < ROUNDS; round++) {
    const root = join(work, `root-${kind}-${round}`);
    const started = performance.now();
    const report = await importRuns(kind, source, { dir: root, entity: "bench", project: "bench" });
    times.push((performance.now() - started) / 1000);
    const imported = report.runs.reduce((sum, run) => sum + run.points, 0);
    if (imported < points) throw new Error(`${kind}: imported ${imported} points of ${points}`);
    cleanup(root);
  }
  return median(times);
}

try {
  for (const kind of ["tfevents", "wandb"]) {
    const source = kind === "tfevents" ? join(work, "logs") : join(work, "run-bench.wandb");
    const made = JSON.parse(execFileSync(process.execPath, [MAKE, kind, source, String(POINTS)]).toString("utf8"));
    const mb = (made.bytes / 1048576).toFixed(0);
    const mine = await runlogSeconds(kind === "tfevents" ? "tensorboard" : "wandb", source, made.points);
    const mineRate = rate(made.points, mine);
    console.log(
      `INFO  import ${kind} (${made.points} points, ${mb} MB): runlog import ${mineRate} points/s (median ${mine.toFixed(1)} s of ${ROUNDS})`,
    );
    const readers = [];
    if (kind === "tfevents") {
      const results = [];
      for (let round = 0; round < ROUNDS; round++) results.push(python("read_tfevents.py", source));
      for (const [reader, name] of [
        ["accumulator", "TensorBoard EventAccumulator"],
        ["loader", "tensorboard event file loader"],
      ]) {
        const read = results.map((result) => result[reader]);
        if (read.some((result) => result.points !== made.points))
          throw new Error(`${name} read ${read[0].points} of ${made.points} points`);
        readers.push([name, median(read.map((result) => result.seconds))]);
      }
    } else {
      const results = [];
      for (let round = 0; round < ROUNDS; round++) results.push(await leetInspect(source));
      if (results.some((result) => result.steps !== made.steps))
        throw new Error(`leet inspect read ${results[0].steps} of ${made.steps} rows`);
      readers.push(["W&B's `wandb leet inspect --json`", median(results.map((result) => result.seconds))]);
    }
    for (const [name, seconds] of readers) {
      const ratio = (mineRate / rate(made.points, seconds)).toFixed(2);
      console.log(`INFO    ${ratio}× ${name} (${rate(made.points, seconds)} points/s, median ${seconds.toFixed(1)} s)`);
    }
    cleanup(kind === "tfevents" ? source : made.file);
  }
} finally {
  cleanup(work);
}
