// npm run bench: every benchmark in its own process (no shared JIT or heap state), results in order.
import { spawnSync } from "node:child_process";

const benches = [
  "log-latency.mjs",
  "init-finish.mjs",
  "ingest.mjs",
  "series.mjs",
  "rss.mjs",
  "artifacts.mjs",
  "tfjs.mjs",
  "dashboard.mjs",
  "workspace.mjs",
  "onnx.mjs",
  "langchain.mjs",
  "bridge.mjs",
  "cli.mjs",
  "python-script.mjs",
  "team.mjs",
  "import.mjs",
];
const only = process.argv.slice(2);
let missed = 0;
for (const bench of benches.filter((b) => only.length === 0 || only.some((o) => b.includes(o)))) {
  console.log(`\n== ${bench}`);
  const result = spawnSync(process.execPath, ["--expose-gc", new URL(bench, import.meta.url).pathname], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  process.stdout.write(result.stdout);
  missed += (result.stdout.match(/^MISS/gm) ?? []).length + (result.status === 0 ? 0 : 1);
}
console.log(`\n${missed === 0 ? "all targets met" : `${missed} target(s) missed`}`);
