// Bridge targets (issue 8), Debian's python3 against a bridge in this process:
// - runlog.log of 10 scalars: ≥ 100 k calls/s end-to-end (until finish() has everything in the store),
//   ≥ 60 % of raw pyzmq → zeromq.js batched throughput measured in the same run, p50 call ≤ 10 µs;
// - watch overhead on a torch MLP step: ≤ 2 % at log_freq=100, and at log_freq=1 at most half the
//   overhead of W&B-style hooks (same run). Needs libopenblas0-pthread for a realistic matmul.

import { fileURLToPath } from "node:url";
import { startBridge } from "@runlog/bridge";
import { unpack } from "msgpackr";
import { Pull } from "zeromq";
import { cleanup, median, report, tempDir } from "./util.mjs";

const PYTHON = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
const script = (name) => fileURLToPath(new URL(`./python/${name}`, import.meta.url));
const CALLS = Number(process.env.BENCH_BRIDGE_CALLS ?? 200_000);

function python(args, env = {}) {
  return new Promise((resolve, reject) => {
    import("node:child_process").then(({ spawn }) => {
      const child = spawn(PYTHON, args, { env: { ...process.env, OPENBLAS_NUM_THREADS: "1", ...env } });
      let out = "";
      let err = "";
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (err += c));
      child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} failed: ${err}`))));
    });
  });
}

const dir = tempDir("bridge");
const endpoint = "tcp://127.0.0.1:27555";
const bridge = await startBridge({ endpoint, dir, log: () => {} });

// Raw baseline: pyzmq PUSH → zeromq.js PULL, batches of 100 rows, decoded here.
async function raw() {
  const pull = new Pull();
  const rawEndpoint = "tcp://127.0.0.1:27556";
  await pull.bind(rawEndpoint);
  let records = 0;
  let first = 0;
  let last = 0;
  const receiving = (async () => {
    for await (const [frame] of pull) {
      if (frame.length === 0) break;
      if (first === 0) first = performance.now();
      records += unpack(frame).length;
      last = performance.now();
    }
  })();
  await python([script("raw_push.py"), rawEndpoint, String(CALLS)]);
  await receiving;
  pull.close();
  return records / ((last - first) / 1000);
}

const runlogRates = [];
const rawRates = [];
const p50s = [];
for (let round = 0; round < 3; round++) {
  const result = JSON.parse(await python([script("log_throughput.py"), String(CALLS)], { RUNLOG_BRIDGE: endpoint }));
  runlogRates.push(CALLS / result.total_seconds);
  p50s.push(result.p50_us);
  rawRates.push(await raw());
}
const rate = median(runlogRates);
const rawRate = median(rawRates);
const p50 = median(p50s);
console.log(
  `python runlog.log (10 scalars) → store: ${Math.round(rate).toLocaleString()} calls/s end-to-end; raw pyzmq→zeromq.js batched ${Math.round(rawRate).toLocaleString()} records/s → ${((rate / rawRate) * 100).toFixed(0)} %; p50 log() ${p50.toFixed(1)} µs`,
);
report("python log throughput, end-to-end", Math.round(rate), "calls/s", "≥ 100,000", rate >= 100_000);
report("python log vs raw pyzmq→zeromq.js", ((rate / rawRate) * 100).toFixed(0), "%", "≥ 60 %", rate / rawRate >= 0.6);
report("python log() p50", p50.toFixed(1), "µs", "≤ 10 µs", p50 <= 10);

const watch = JSON.parse(await python([script("watch_overhead.py")], { RUNLOG_BRIDGE: endpoint }));
const over100 = watch.watch_100 / watch.bare - 1;
const over1 = watch.watch_1 / watch.bare - 1;
const overWandb = watch.wandb_hooks_1 / watch.bare - 1;
console.log(
  `torch MLP step ${watch.bare.toFixed(2)} ms bare; watch log_freq=100 ${(over100 * 100).toFixed(1)} %, log_freq=1 ${(over1 * 100).toFixed(0)} %, W&B-style hooks every step ${(overWandb * 100).toFixed(0)} %`,
);
report("watch overhead at log_freq=100", (over100 * 100).toFixed(1), "%", "≤ 2 %", over100 <= 0.02);
report("watch overhead at log_freq=1 vs W&B-style", (over1 / overWandb).toFixed(2), "× W&B's overhead", "≤ 0.5×", over1 <= overWandb / 2);
await bridge.close();
cleanup(dir);
