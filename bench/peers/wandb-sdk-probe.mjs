// Can npm's @wandb/sdk run the W&B-style script offline? Run in a child process by run.mjs: imports
// the SDK from bench/peers/.node-peers (setup.sh), sets WANDB_MODE=offline, points the API at a
// loopback port where nothing listens (so no traffic leaves the machine) and gives init() a few
// seconds. Prints one JSON line: {ok, ms, reason}. If init() resolves, the same loop as script.py
// is timed against it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const calls = Number(process.argv[2] ?? 20_000);
const waitMs = Number(process.argv[3] ?? 10_000);
const entry = fileURLToPath(new URL("./.node-peers/node_modules/@wandb/sdk/index.js", import.meta.url));
const done = (result) => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
};
if (!existsSync(entry)) done({ ok: false, reason: "@wandb/sdk not installed (bench/peers/setup.sh: npm install failed)" });

process.env.WANDB_MODE = "offline";
process.env.WANDB_API_KEY ??= "0".repeat(40);
process.env.WANDB_BASE_URL = "http://127.0.0.1:9";
const { wandb } = await import(entry);
const imported = performance.now();
const timer = new Promise((resolve) => setTimeout(() => resolve("timeout"), waitMs));
// What the SDK's code does (0.5.1, internal/sender.js and api.js): the sender always asks the server
// for the viewer's entity (a GraphQL query; the entity given to init() is not passed down), then
// sends the UpsertBucket mutation, and init() resolves only on its answer; WANDB_MODE=offline only
// makes the filestream drop history records, so nothing is ever written locally.
const why =
  "@wandb/sdk 0.5.1 has no offline mode: init() first queries the server for the default entity, then " +
  "upserts the run over GraphQL, and resolves only on the answer; WANDB_MODE=offline only drops history " +
  "records (nothing is written locally)";
let outcome;
try {
  outcome = await Promise.race([wandb.init({ entity: "bench", project: "bench", config: { lr: 0.01, calls } }), timer]);
} catch (error) {
  done({
    ok: false,
    reason: `init() rejected with "${String(error?.message ?? error).split("\n")[0]}" (WANDB_MODE=offline, no server) — ${why}`,
  });
}
if (outcome === "timeout")
  done({ ok: false, reason: `init() had not resolved after ${waitMs / 1000} s (WANDB_MODE=offline, no server) — ${why}` });
const t1 = performance.now();
for (let i = 0; i < calls; i++) {
  const row = {};
  for (let k = 0; k < 10; k++) row[`m${k}`] = i * 0.5 + k;
  wandb.log(row);
}
const t2 = performance.now();
await wandb.finish();
const t3 = performance.now();
done({ ok: true, init: (t1 - imported) / 1000, loop: (t2 - t1) / 1000, finish: (t3 - t2) / 1000, total: (t3 - imported) / 1000 });
