// Import throughput (issue 22): points/s importing a 10 M-point TensorBoard log dir and a 10 M-point
// .wandb file, each next to the source tool's own reader over the same file in the same run
// (TensorBoard's EventAccumulator and event file loader; W&B's reader `wandb leet inspect --json`,
// wandb 0.31 having no Python reader of its log any more), medians.
// BENCH_IMPORT_POINTS shrinks the size for a quick run; BENCH_IMPORT_ROUNDS sets the rounds (3).
// Then peak RSS of importing inputs of 64 MB, 256 MB and 1 GB (BENCH_IMPORT_RSS_MB, "" skips it),
// each in its own child process: it must stay flat, not grow with the input.
// BENCH_IMPORT_CACHE=<dir> keeps the generated inputs there between runs of the bench.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { importRuns } from "@runlog/interop";
import { cleanup, median, report, tempDir } from "./util.mjs";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const PYTHON = join(REPO, ".venv", "bin", "python");
const TIME = "/usr/bin/time";
const MAKE = join(REPO, "packages", "interop", "scripts", "make-large-sources.mjs");
const POINTS = Number(process.env.BENCH_IMPORT_POINTS ?? 10_000_000);
const ROUNDS = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3);
const RSS_MB = (process.env.BENCH_IMPORT_RSS_MB ?? "64,256,1024").split(",").filter(Boolean).map(Number);
const CACHE = process.env.BENCH_IMPORT_CACHE;
/** Bytes per step of a --bulk source (10 scalars and a 64-bucket histogram), as the constant-memory test measured. */
const BULK_BYTES_PER_STEP = { tfevents: 1216, wandb: 1226 };

if (!existsSync(PYTHON)) {
  console.log(`MISS  import: ${PYTHON} is missing (scripts/setup.sh makes it); the source tools' readers cannot run`);
  process.exit(0);
}

const work = tempDir("import");
const inputs = CACHE ?? join(work, "inputs");

/**
 * A generated source (make-large-sources.mjs), made once and reused by every round; with
 * BENCH_IMPORT_CACHE by later runs too (keyed by kind, size and the generator's own text).
 */
function source(kind, points, bulk) {
  const generator = readFileSync(MAKE, "utf8");
  const key = `${kind}-${points}${bulk ? "-bulk" : ""}-${generator.length}`;
  const path = join(inputs, kind === "tfevents" ? key : `${key}.wandb`);
  const stamp = join(inputs, `${key}.json`);
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, "utf8"));
  mkdirSync(inputs, { recursive: true });
  const args = [MAKE, kind, path, String(points), ...(bulk ? ["--bulk"] : [])];
  const made = { ...JSON.parse(execFileSync(process.execPath, args).toString("utf8")), path };
  writeFileSync(stamp, JSON.stringify(made));
  return made;
}

/** Imports `path` in a child process; its peak RSS (MB), seconds and points. */
function importInChild(kind, path, root) {
  const script = `import { importRuns } from "@runlog/interop";
const started = performance.now();
const report = await importRuns(${JSON.stringify(kind)}, ${JSON.stringify(path)}, { dir: ${JSON.stringify(root)}, entity: "bench", project: "bench" });
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, points: report.runs.reduce((sum, run) => sum + run.points, 0), rssMb: process.resourceUsage().maxRSS / 1024 }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: REPO, maxBuffer: 1 << 20 });
  return JSON.parse(out.toString("utf8"));
}
const rate = (points, seconds) => Math.round(points / seconds);
const python = (script, arg) =>
  JSON.parse(execFileSync(PYTHON, [join(REPO, "bench", "python", script), arg], { maxBuffer: 1 << 24 }).toString("utf8"));

/**
 * `wandb leet inspect --json` over the file, its output consumed (history lines counted); seconds,
 * CPU seconds of it and its children (through GNU time, where installed) and steps.
 */
function leetInspect(file) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuFile = join(work, "leet-cpu.txt");
    const command = [PYTHON, "-m", "wandb", "leet", "inspect", "--json", file];
    const timed = existsSync(TIME) ? [TIME, ["-f", "%U %S", "-o", cpuFile, ...command]] : [PYTHON, command.slice(1)];
    const child = spawn(timed[0], timed[1], { stdio: ["ignore", "pipe", "inherit"] });
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
      code === 0
        ? resolve({ seconds: (performance.now() - started) / 1000, cpu: cpuSeconds(cpuFile), steps })
        : reject(new Error(`leet inspect exited ${code}`)),
    );
  });
}

/** User + system seconds GNU time wrote, or undefined. */
function cpuSeconds(file) {
  if (!existsSync(file)) return undefined;
  const [user, system] = readFileSync(file, "utf8").trim().split(/\s+/).slice(-2).map(Number);
  return user + system;
}

/** Median seconds and CPU seconds of importing `source` (in this process) over the rounds. */
async function runlogSeconds(kind, source, points) {
  const times = [];
  const cpus = [];
  for (let round = 0; round < ROUNDS; round++) {
    const root = join(work, `root-${kind}-${round}`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await importRuns(kind, source, { dir: root, entity: "bench", project: "bench" });
    times.push((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1e6);
    const imported = report.runs.reduce((sum, run) => sum + run.points, 0);
    if (imported < points) throw new Error(`${kind}: imported ${imported} points of ${points}`);
    cleanup(root);
  }
  return { seconds: median(times), cpu: median(cpus) };
}

try {
  for (const kind of ["tfevents", "wandb"]) {
    const made = source(kind, POINTS, false);
    const source_ = made.path;
    const mb = (made.bytes / 1048576).toFixed(0);
    const mine = await runlogSeconds(kind === "tfevents" ? "tensorboard" : "wandb", source_, made.points);
    const mineRate = rate(made.points, mine.seconds);
    console.log(
      `INFO  import ${kind} (${made.points} points, ${mb} MB): runlog import ${mineRate} points/s (median ${mine.seconds.toFixed(1)} s of ${ROUNDS}, CPU ${mine.cpu.toFixed(1)} s)`,
    );
    const readers = [];
    if (kind === "tfevents") {
      const results = [];
      for (let round = 0; round < ROUNDS; round++) results.push(python("read_tfevents.py", source_));
      for (const [reader, name] of [
        ["accumulator", "TensorBoard EventAccumulator"],
        ["loader", "tensorboard event file loader"],
      ]) {
        const read = results.map((result) => result[reader]);
        if (read.some((result) => result.points !== made.points))
          throw new Error(`${name} read ${read[0].points} of ${made.points} points`);
        readers.push([name, median(read.map((result) => result.seconds)), median(read.map((result) => result.cpu))]);
      }
    } else {
      const results = [];
      for (let round = 0; round < ROUNDS; round++) results.push(await leetInspect(source_));
      if (results.some((result) => result.steps !== made.steps))
        throw new Error(`leet inspect read ${results[0].steps} of ${made.steps} rows`);
      const cpu = results.every((result) => result.cpu !== undefined) ? median(results.map((result) => result.cpu)) : undefined;
      readers.push(["W&B's `wandb leet inspect --json`", median(results.map((result) => result.seconds)), cpu]);
    }
    // On a shared machine wall time follows the load; CPU seconds (theirs / ours) compare the work.
    for (const [name, seconds, cpu] of readers) {
      const ratio = (mineRate / rate(made.points, seconds)).toFixed(2);
      const byCpu = cpu === undefined ? "" : `; by CPU time ${(cpu / mine.cpu).toFixed(2)}× (${cpu.toFixed(1)} s)`;
      console.log(`INFO    ${ratio}× ${name} (${rate(made.points, seconds)} points/s, median ${seconds.toFixed(1)} s${byCpu})`);
    }
  }
  // Constant memory: the same import over ever bigger inputs (a histogram per step makes bytes
  // without points); peak RSS of the largest must stay within 1.25× of the smallest's.
  for (const kind of RSS_MB.length > 1 ? ["tfevents", "wandb"] : []) {
    const measured = [];
    for (const size of RSS_MB) {
      const steps = Math.ceil((size * 1048576) / BULK_BYTES_PER_STEP[kind]);
      const made = source(kind, steps * 10, true); // the generator makes points / 10 steps, each 11 points with --bulk
      const root = join(work, `rss-${kind}-${size}`);
      const result = importInChild(kind === "tfevents" ? "tensorboard" : "wandb", made.path, root);
      cleanup(root);
      if (result.points < made.points) throw new Error(`${kind}: imported ${result.points} points of ${made.points}`);
      measured.push({ inputMb: made.bytes / 1048576, ...result });
      if (!CACHE) cleanup(kind === "tfevents" ? made.path : made.file);
    }
    const line = measured
      .map((m) => `${m.inputMb.toFixed(0)} MB → ${m.rssMb.toFixed(0)} MB (${rate(m.points, m.seconds)} points/s)`)
      .join(", ");
    const growth = measured[measured.length - 1].rssMb / measured[0].rssMb;
    report(`import ${kind} peak RSS by input size`, growth.toFixed(2), "× the smallest's", "≤ 1.25×, flat", growth <= 1.25, line);
  }
} finally {
  cleanup(work);
}
