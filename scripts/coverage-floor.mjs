#!/usr/bin/env node
// Prints each package's coverage and fails when one is below its floor in coverage-floor.json.
// TypeScript numbers come from packages/<name>/coverage/coverage-summary.json, written by each
// package's `test` script (`vitest run --coverage`, V8); `--python` also measures the bridge's
// Python client (`coverage run -m pytest` of packages/bridge/python/tests in .venv); `--python-only`
// measures just that.
// `--raise` writes the numbers measured now where they beat the floor: the floor only goes up.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const FLOOR_FILE = join(ROOT, "coverage-floor.json");
const METRICS = ["lines", "statements", "branches", "functions"];
const args = new Set(process.argv.slice(2));
const floor = JSON.parse(readFileSync(FLOOR_FILE, "utf8"));
const measured = {};
const failures = [];

const typescript = args.has("--python-only") ? {} : floor.packages;
for (const [name, dir] of Object.entries(typescript)) {
  const summaryFile = join(ROOT, dir.path, "coverage", "coverage-summary.json");
  if (!existsSync(summaryFile)) {
    failures.push(`${name}: no ${summaryFile} (run the package's \`npm test\` first)`);
    continue;
  }
  const total = JSON.parse(readFileSync(summaryFile, "utf8")).total;
  measured[name] = Object.fromEntries(METRICS.map((m) => [m, total[m].pct]));
  report(name, measured[name], dir);
}

if (args.has("--python") || args.has("--python-only")) {
  const python = join(ROOT, ".venv", "bin", "python");
  const data = join(ROOT, "packages", "bridge", "python", ".coverage");
  const cwd = join(ROOT, "packages", "bridge", "python");
  const env = { ...process.env, COVERAGE_FILE: data };
  const run = spawnSync(python, ["-m", "coverage", "run", "--source=runlog", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], {
    cwd,
    env,
    stdio: "inherit",
  });
  if (run.status !== 0) failures.push(`python: pytest exited ${run.status}`);
  const json = spawnSync(python, ["-m", "coverage", "json", "-o", "-", "-q"], { cwd, env, encoding: "utf8" });
  const totals = JSON.parse(json.stdout).totals;
  measured.python = { lines: round(totals.percent_covered) };
  report("python", measured.python, floor.python);
}

if (args.has("--raise")) {
  for (const [name, pct] of Object.entries(measured)) {
    const entry = name === "python" ? floor.python : floor.packages[name];
    for (const [metric, value] of Object.entries(pct)) entry[metric] = Math.max(entry[metric] ?? 0, value);
  }
  writeFileSync(FLOOR_FILE, `${JSON.stringify(floor, null, 2)}\n`);
  console.log(`coverage floor raised where measured higher: ${FLOOR_FILE}`);
}

if (failures.length > 0) {
  console.error(`coverage below the floor (${FLOOR_FILE}):\n  ${failures.join("\n  ")}`);
  process.exit(1);
}

function report(name, pct, limits) {
  const cells = Object.entries(pct).map(([metric, value]) => {
    const min = limits[metric] ?? 0;
    if (value < min) failures.push(`${name} ${metric} ${value}% < floor ${min}%`);
    return `${metric} ${value}% (floor ${min}%)`;
  });
  console.log(`coverage ${name.padEnd(10)} ${cells.join("  ")}`);
}

function round(value) {
  return Math.floor(value * 100) / 100;
}
