// Issue 23's Python target: a W&B-style script of N `log` calls of 10 scalars (N = 20 k), with
// (init + loop + finish) / N ≤ 10 µs. Measured in fresh Python processes, each way the client can
// get a bridge: the shared per-user bridge already running (a later script), the shared bridge
// started by this script (the first one), and a private bridge (RUNLOG_BRIDGE_SHARED=0). The
// baseline, in the same rounds, is the same loop building the same rows without logging.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, median, report, tempDir } from "./util.mjs";

const PYTHON = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./python/wandb_style.py", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/cli/bin/runlog.js", import.meta.url));
const CALLS = Number(process.env.BENCH_PY_CALLS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_PY_ROUNDS ?? 5);

function script(dir, env, extra = []) {
  const out = spawnSync(PYTHON, [SCRIPT, String(CALLS), ...extra], {
    encoding: "utf8",
    cwd: dir,
    env: { ...process.env, RUNLOG_CLI: CLI, RUNLOG_DIR: join(dir, "runlog"), RUNLOG_BRIDGE: "", RUNLOG_SILENT: "true", ...env },
  });
  if (out.status !== 0) throw new Error(`wandb_style.py: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop());
}

const dir = tempDir("pyscript");
const ways = { baseline: [], warm: [], cold: [], private: [] };
for (let round = 0; round < ROUNDS; round++) {
  ways.baseline.push(script(dir, {}, ["baseline"]));
  // A fresh runtime folder: no bridge to find, this script starts the shared one ...
  const shared = { RUNLOG_RUNTIME_DIR: join(dir, `runtime-${round}`), RUNLOG_BRIDGE_IDLE: "5" };
  ways.cold.push(script(dir, shared));
  // ... and the next script finds it running.
  ways.warm.push(script(dir, shared));
  ways.private.push(script(dir, { RUNLOG_BRIDGE_SHARED: "0" }));
}
const perCall = (runs, phase = "total") => (median(runs.map((r) => r[phase])) / CALLS) * 1e6;
const ms = (runs, phase) => `${(median(runs.map((r) => r[phase])) * 1000).toFixed(0)} ms`;
const base = perCall(ways.baseline);
console.log(`baseline: the same loop without logging, ${base.toFixed(2)} µs per call (median of ${ROUNDS}, ${CALLS} calls)`);
for (const [name, runs] of [
  ["shared bridge already running", ways.warm],
  ["shared bridge started by the script", ways.cold],
  ["private bridge (RUNLOG_BRIDGE_SHARED=0)", ways.private],
]) {
  const value = perCall(runs);
  report(
    `python ${CALLS / 1000} k calls, ${name}`,
    value.toFixed(2),
    "µs per call end to end",
    "≤ 10 µs",
    value <= 10,
    `${(value / base).toFixed(1)}× baseline; init ${ms(runs, "init")}, loop ${perCall(runs, "loop").toFixed(2)} µs/call, finish ${ms(runs, "finish")}`,
  );
}
// The shared bridges stop by themselves after their idle grace; their folders go with them.
cleanup(dir);
