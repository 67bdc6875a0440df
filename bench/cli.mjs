// The CLI's start-up, as a ratio to a bare `node -e 0` measured in the same rounds (medians):
// `runlog --help` and `--version` (target ≤ 2×: commands load only when they run), and the time
// until `runlog bridge` says it is listening (target ≤ 250 ms; the Python client's init waits on it),
// and the Python client's `init()` (target ≤ 150 ms) each way it can get a bridge: starting the
// shared per-user bridge (the first script), finding it running (later scripts), and starting a
// private one (RUNLOG_BRIDGE_SHARED=0). The scripts run in a git repository, as users' do: the
// bridge reads the client folder's git facts after init answers, so init must not wait on them.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanup, median, report, tempDir } from "./util.mjs";

const BIN = fileURLToPath(new URL("../packages/cli/bin/runlog.js", import.meta.url));
const ROUNDS = Number(process.env.BENCH_CLI_ROUNDS ?? 15);

function timed(args) {
  const t0 = performance.now();
  const out = spawnSync(process.execPath, args, { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`${args.join(" ")}: ${out.stderr}`);
  return performance.now() - t0;
}

// The floor under `runlog bridge`: a bare Node that loads ZeroMQ, binds an ipc ROUTER socket and says so.
const FLOOR = `const { Router } = await import("zeromq"); const socket = new Router();
await socket.bind(process.argv[1]); console.log("listening"); socket.close();`;

function bridgeReady(dir, floor = false) {
  const t0 = performance.now();
  const endpoint = `ipc://${join(dir, floor ? "floor.sock" : "bridge.sock")}`;
  const args = floor ? ["--input-type=module", "-e", FLOOR, endpoint] : [BIN, "bridge", "--endpoint", endpoint, "--dir", dir];
  const child = spawn(process.execPath, args, {
    cwd: fileURLToPath(new URL("../packages/bridge/", import.meta.url)), // where zeromq resolves
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let ready;
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (ready !== undefined || !stdout.includes("listening")) return;
      ready = performance.now() - t0;
      child.kill("SIGTERM");
    });
    child.once("close", (code) =>
      ready === undefined ? reject(new Error(`runlog bridge exited ${code} before listening`)) : resolve(ready),
    );
  });
}

const PYTHON = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
const PY_INIT = `import time, runlog
t0 = time.perf_counter(); run = runlog.init(project="bench", settings={"finish_timeout": 30}); t1 = time.perf_counter()
run.finish(); print((t1 - t0) * 1000)`;

/** The Python client's init(): `env` says which bridge it finds or starts. */
function pythonInit(dir, env) {
  const out = spawnSync(PYTHON, ["-c", PY_INIT], {
    encoding: "utf8",
    cwd: dir,
    env: {
      ...process.env,
      PYTHONPATH: fileURLToPath(new URL("../packages/bridge/python", import.meta.url)),
      RUNLOG_CLI: BIN,
      RUNLOG_DIR: join(dir, "runlog"),
      RUNLOG_BRIDGE: "",
      RUNLOG_SILENT: "true",
      ...env,
    },
  });
  if (out.status !== 0) throw new Error(`python init: ${out.stderr}`);
  return Number(out.stdout.trim().split("\n").pop());
}

const samples = { node: [], help: [], version: [], floor: [], bridge: [], sharedCold: [], sharedWarm: [], private: [] };
const dir = tempDir("cli");
const git = (...args) => execFileSync("git", ["-C", dir, "-c", "user.name=b", "-c", "user.email=b@example.com", ...args]);
git("init", "-q");
writeFileSync(join(dir, "train.py"), "print(1)\n");
git("add", "train.py");
git("commit", "-qm", "bench");
for (let i = 0; i < ROUNDS; i++) {
  samples.node.push(timed(["-e", "0"]));
  samples.help.push(timed([BIN, "--help"]));
  samples.version.push(timed([BIN, "--version"]));
  samples.floor.push(await bridgeReady(dir, true));
  samples.bridge.push(await bridgeReady(dir));
  // A fresh runtime folder: the first script starts the shared bridge, the second finds it.
  const shared = { RUNLOG_RUNTIME_DIR: join(dir, `runtime-${i}`), RUNLOG_BRIDGE_IDLE: "5" };
  samples.sharedCold.push(pythonInit(dir, shared));
  samples.sharedWarm.push(pythonInit(dir, shared));
  samples.private.push(pythonInit(dir, { RUNLOG_BRIDGE_SHARED: "0" }));
}
cleanup(dir);
const node = median(samples.node);
const ratio = (ms) => (ms / node).toFixed(2);
console.log(`bare node -e 0: ${node.toFixed(1)} ms (median of ${ROUNDS})`);
report(
  "runlog --help",
  ratio(median(samples.help)),
  "× bare node",
  "≤ 2×",
  median(samples.help) <= 2 * node,
  `${median(samples.help).toFixed(1)} ms`,
);
report(
  "runlog --version",
  ratio(median(samples.version)),
  "× bare node",
  "≤ 2×",
  median(samples.version) <= 2 * node,
  `${median(samples.version).toFixed(1)} ms`,
);
const bridge = median(samples.bridge);
const floor = median(samples.floor);
console.log(`floor: node + zeromq + bind, ${floor.toFixed(0)} ms (${ratio(floor)}× bare node); targets under it cannot be met here`);
report(
  "runlog bridge ready",
  bridge.toFixed(0),
  "ms",
  "≤ 250 ms",
  bridge <= 250,
  `${ratio(bridge)}× bare node, ${(bridge / floor).toFixed(2)}× the floor`,
);
for (const [name, values] of [
  ["python init(), shared bridge running", samples.sharedWarm],
  ["python init() starting the shared bridge", samples.sharedCold],
  ["python init() starting a private bridge", samples.private],
]) {
  const ms = median(values);
  report(name, ms.toFixed(0), "ms", "≤ 150 ms", ms <= 150, `${ratio(ms)}× bare node`);
}
