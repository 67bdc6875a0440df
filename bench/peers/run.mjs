// Issue 23, "Peers side by side": one W&B-style Python script (script.py: init, N log calls of
// 10 scalars, finish) under Runlog's Python client and under the real peers — wandb (offline,
// wandb-core), MLflow 3 (file store, SQLite), trackio, Aim — each run in a fresh process, rounds
// interleaved so that load drift on a shared machine hits every tracker alike; medians printed as
// ratios to Runlog (peer / Runlog: above 1, Runlog is cheaper). Then npm's @wandb/sdk: whether it
// runs offline at all (wandb-sdk-probe.mjs). Peers come from bench/peers/setup.sh (npm run
// bench:peers runs it); one that can't be imported or run prints "unavailable: <reason>".
// Options: --calls 20000,200000  --rounds 3  --only runlog,aim  --timeout 900  --json out.json
//          --mlflow-sqlite-calls 2000
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, median, tempDir } from "../util.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const SCRIPT = here("./script.py");
const CLI = here("../../packages/cli/bin/runlog.js");
// Runlog and wandb share the dev venv (the same CPython 3.11.7 as the other two venvs).
const DEV = here("../../.venv/bin/python");
const MLFLOW = here("../../.venv-mlflow/bin/python");
const PEERS = here("./.venv-peers/bin/python");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}
const CALLS = option("calls", "20000,200000").split(",").map(Number);
const ROUNDS = Number(option("rounds", 3));
const ONLY = option("only", "")?.split(",").filter(Boolean) ?? [];
const TIMEOUT_S = Number(option("timeout", 900));
const JSON_OUT = option("json", "");

// MLflow's SQLite store commits each log_metrics call (≈ 20 ms a call here): 20 k calls would take
// minutes a round, so it runs at most --mlflow-sqlite-calls calls (2 k) and its row says so.
const MLFLOW_SQLITE_CALLS = Number(option("mlflow-sqlite-calls", 2000));
const quiet = { HF_HUB_OFFLINE: "1", WANDB_SILENT: "true", RUNLOG_SILENT: "true", PYTHONDONTWRITEBYTECODE: "1" };
const trackers = [
  // Both Runlog rows log into the round's store: the shared bridge is per user and store. Right
  // after a script the store's SQLite WAL is not yet checkpointed, so their disk is measured at the
  // round's end, once the bridge has closed it: the settled store over the two (identical) runs.
  {
    name: "runlog",
    label: "Runlog (Python client, starts its bridge)",
    python: DEV,
    store: true,
    // A fresh runtime folder: no bridge to find, the script starts the shared one ...
    env: (_dir, round) => ({
      RUNLOG_CLI: CLI,
      RUNLOG_DIR: round.store,
      RUNLOG_BRIDGE: "",
      RUNLOG_RUNTIME_DIR: round.runtime,
      RUNLOG_BRIDGE_IDLE: "3",
    }),
  },
  {
    name: "runlog-warm",
    label: "Runlog, bridge already running",
    tracker: "runlog",
    python: DEV,
    store: true,
    // ... and this one, right after it, finds it running (a later script of the same user).
    env: (_dir, round) => ({
      RUNLOG_CLI: CLI,
      RUNLOG_DIR: round.store,
      RUNLOG_BRIDGE: "",
      RUNLOG_RUNTIME_DIR: round.runtime,
      RUNLOG_BRIDGE_IDLE: "3",
    }),
  },
  { name: "wandb", label: "wandb 0.31 offline (wandb-core)", python: DEV, env: (dir) => ({ WANDB_MODE: "offline", WANDB_DIR: dir }) },
  // MLflow 3.17 refuses the file store unless told it may (it is in maintenance mode).
  { name: "mlflow-file", label: "MLflow 3.17, file store", python: MLFLOW, env: () => ({ MLFLOW_ALLOW_FILE_STORE: "true" }) },
  { name: "mlflow-sqlite", label: "MLflow 3.17, SQLite store", python: MLFLOW, maxCalls: MLFLOW_SQLITE_CALLS, env: () => ({}) },
  {
    name: "trackio",
    label: "trackio 0.43",
    python: PEERS,
    env: (dir) => ({ TRACKIO_DIR: join(dir, "trackio"), HF_HOME: join(dir, "hf") }),
  },
  { name: "aim", label: "Aim 3.29", python: PEERS, env: () => ({}) },
].filter((t) => ONLY.length === 0 || ONLY.includes(t.name) || (t.name === "runlog-warm" && ONLY.includes("runlog")));

function bytesUnder(path) {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.isFile() ? stat.size : 0;
  return readdirSync(path).reduce((sum, name) => sum + bytesUnder(join(path, name)), 0);
}

/** One fresh process: the phases it printed, its wall time from spawn to exit, its run's bytes. */
function once(tracker, calls, round) {
  if (!existsSync(tracker.python)) return { error: `no interpreter at ${tracker.python} (setup not run?)` };
  const dir = tempDir(`peers-${tracker.name}`);
  try {
    const start = performance.now();
    const out = spawnSync(tracker.python, [SCRIPT, tracker.tracker ?? tracker.name, String(calls), dir], {
      cwd: dir,
      encoding: "utf8",
      timeout: TIMEOUT_S * 1000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...quiet, ...tracker.env(dir, round) },
    });
    const wall = (performance.now() - start) / 1000;
    if (out.error?.code === "ETIMEDOUT") return { error: `timed out after ${TIMEOUT_S} s at ${calls} calls` };
    if (out.status !== 0) {
      const last = `${out.stderr}`.trim().split("\n").filter(Boolean).pop() ?? `exit ${out.status}`;
      return { error: last.slice(0, 200) };
    }
    const phases = JSON.parse(out.stdout.trim().split("\n").pop());
    return { ...phases, wall, disk: tracker.store ? undefined : bytesUnder(dir), calls };
  } catch (error) {
    return { error: String(error.message ?? error).split("\n")[0] };
  } finally {
    cleanup(dir);
  }
}

/** The Runlog rows' disk: the round's store once its bridge has gone (idle grace 3 s), split over its runs. */
function settle(store, storeRuns) {
  const ok = storeRuns.filter((r) => !r.error);
  if (ok.length === 0 || !existsSync(store)) return;
  const deadline = Date.now() + 30_000;
  while (existsSync(`${join(store, "runlog.db")}-wal`) && Date.now() < deadline) spawnSync("sleep", ["0.5"]);
  const bytes = bytesUnder(store);
  for (const r of ok) r.disk = bytes / ok.length;
}

function summarize(runs) {
  const ok = runs.filter((r) => !r.error);
  if (ok.length === 0) return { error: runs[0]?.error ?? "not run" };
  const m = (key) => median(ok.map((r) => r[key]));
  const calls = ok[0].calls;
  return {
    calls,
    rounds: ok.length,
    failed: runs.length - ok.length,
    log: (m("loop") / calls) * 1e6,
    e2e: (m("total") / calls) * 1e6,
    init: m("init") * 1000,
    finish: m("finish") * 1000,
    import: m("import") * 1000,
    disk: m("disk") / 1e6,
    wall: m("wall"),
  };
}

const columns = [
  ["log", "log µs/call", (v) => v.toFixed(2)],
  ["e2e", "e2e µs/call", (v) => v.toFixed(2)],
  ["init", "init ms", (v) => v.toFixed(0)],
  ["finish", "finish ms", (v) => v.toFixed(0)],
  ["disk", "disk MB", (v) => v.toFixed(2)],
  ["wall", "process s", (v) => v.toFixed(2)],
];

function table(calls, rows) {
  const ref = rows.runlog;
  const lines = [
    `| tracker | ${columns.map((c) => c[1]).join(" | ")} | import ms |`,
    `| --- | ${columns.map(() => "---:").join(" | ")} | ---: |`,
  ];
  for (const tracker of trackers) {
    const row = rows[tracker.name];
    if (row.error) {
      const why = row.error.replaceAll("|", "/");
      lines.push(`| ${tracker.label} | ${why.startsWith("timed out") ? why : `unavailable: ${why}`} |`);
      continue;
    }
    const note = row.calls !== calls ? ` (${row.calls / 1000} k calls)` : "";
    const cells = columns.map(([key, , fmt]) => {
      const ratio = ref && !ref.error && tracker.name !== "runlog" ? ` (${(row[key] / ref[key]).toFixed(1)}×)` : "";
      return `${fmt(row[key])}${ratio}`;
    });
    lines.push(`| ${tracker.label}${note} | ${cells.join(" | ")} | ${row.import.toFixed(0)} |`);
  }
  return lines.join("\n");
}

function probeWandbSdk(calls) {
  const out = spawnSync(process.execPath, [here("./wandb-sdk-probe.mjs"), String(calls), "10000"], { encoding: "utf8", timeout: 60_000 });
  try {
    return JSON.parse(out.stdout.trim().split("\n").pop());
  } catch {
    return { ok: false, reason: `probe failed: ${(out.stderr ?? "").trim().split("\n").pop()}` };
  }
}

const runtimes = [];
const results = { date: new Date().toISOString(), rounds: ROUNDS, tables: {} };
for (const calls of CALLS) {
  const runs = Object.fromEntries(trackers.map((t) => [t.name, []]));
  const baseline = [];
  for (let r = 0; r < ROUNDS; r++) {
    const runtimeRoot = tempDir("peers-runtime");
    runtimes.push(runtimeRoot);
    const round = { runtime: join(runtimeRoot, "rt"), store: join(runtimeRoot, "store") };
    const storeRuns = [];
    baseline.push(once({ name: "baseline", python: DEV, env: () => ({}) }, calls, round));
    for (const tracker of trackers) {
      const n = tracker.maxCalls ? Math.min(calls, tracker.maxCalls) : calls;
      const result = once(tracker, n, round);
      runs[tracker.name].push(result);
      if (tracker.store) storeRuns.push(result);
      const shown = result.error ? `error: ${result.error}` : `${result.total.toFixed(2)} s + import ${result.import.toFixed(2)} s`;
      console.error(`  [${calls / 1000} k, round ${r + 1}/${ROUNDS}] ${tracker.name}: ${shown}`);
    }
    settle(round.store, storeRuns);
  }
  const rows = Object.fromEntries(trackers.map((t) => [t.name, summarize(runs[t.name])]));
  const floor = summarize(baseline);
  results.tables[calls] = { rows, baseline: floor };
  console.log(`\n## ${calls / 1000} k calls × 10 scalars, median of ${ROUNDS} round(s), each a fresh process`);
  console.log(`ratio in parentheses = peer / Runlog (above 1: Runlog is cheaper); e2e = (init + loop + finish) / N;`);
  console.log(`process = spawn to exit (interpreter, import, run, teardown); disk = bytes the run left in its folder.`);
  if (!floor.error) console.log(`baseline (the same loop building the rows, no tracker): ${floor.log.toFixed(2)} µs/call\n`);
  console.log(table(calls, rows));
}

const sdk = probeWandbSdk(CALLS[0]);
results.wandbSdk = sdk;
console.log("\n## TypeScript: npm @wandb/sdk");
console.log(sdk.ok ? `runs offline: ${JSON.stringify(sdk)}` : `unavailable: ${sdk.reason}`);
// Each round's shared bridge stops by itself after its idle grace (3 s, long over by now).
for (const dir of runtimes) cleanup(dir);
if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify(results, null, 2)}\n`);
