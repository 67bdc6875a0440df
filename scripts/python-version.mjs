#!/usr/bin/env node
// Keeps the Python client's version (packages/bridge/python: pyproject.toml and runlog.__version__)
// equal to the npm packages' one version (changesets' fixed group). `--write` sets it (run by
// `npm run version` after `changeset version`); without it, exits 1 naming every file that differs.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const PYTHON = join(REPO, "packages", "bridge", "python");
const FILES = [
  { path: join(PYTHON, "pyproject.toml"), pattern: /^version = "([^"]*)"$/m, line: (v) => `version = "${v}"` },
  { path: join(PYTHON, "runlog", "__init__.py"), pattern: /^__version__ = "([^"]*)"$/m, line: (v) => `__version__ = "${v}"` },
];

/** The one version of the published npm packages; exits 1 when they disagree. */
function npmVersion() {
  const versions = new Map();
  for (const name of readdirSync(join(REPO, "packages")).sort()) {
    const manifest = JSON.parse(readFileSync(join(REPO, "packages", name, "package.json"), "utf8"));
    if (manifest.private !== true) versions.set(manifest.name, manifest.version);
  }
  const distinct = new Set(versions.values());
  if (distinct.size !== 1) {
    console.error(`The npm packages do not share one version: ${[...versions].map(([n, v]) => `${n}@${v}`).join(", ")}`);
    process.exit(1);
  }
  return [...distinct][0];
}

const version = npmVersion();
const write = process.argv.includes("--write");
const wrong = [];
for (const file of FILES) {
  const text = readFileSync(file.path, "utf8");
  const found = file.pattern.exec(text)?.[1];
  if (found === version) continue;
  if (write) writeFileSync(file.path, text.replace(file.pattern, file.line(version)));
  else wrong.push(`${file.path.slice(REPO.length)}: ${found ?? "no version line"}`);
}
if (wrong.length > 0) {
  console.error(
    `The Python client's version must be the npm packages' ${version} (run \`npm run version\`, or node scripts/python-version.mjs --write):\n  ${wrong.join("\n  ")}`,
  );
  process.exit(1);
}
console.log(`${write ? "set" : "checked"}: the npm packages and the Python client are at ${version}`);
