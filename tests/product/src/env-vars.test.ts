import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SKIP = new Set(["node_modules", "dist", "test-results", "__pycache__", ".venv"]);

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path, keep));
    else if (keep(path)) found.push(path);
  }
  return found;
}

/** Every RUNLOG_* variable the code reads (tests included: their knobs are for contributors). */
function variablesRead(): Map<string, string> {
  const code = [
    ...filesUnder(join(REPO, "packages"), (p) => /\.(ts|tsx|mjs|py)$/.test(p)),
    ...filesUnder(join(REPO, "scripts"), (p) => /\.(mjs|sh)$/.test(p)),
    ...filesUnder(join(REPO, "bench"), (p) => p.endsWith(".mjs")),
  ];
  const read = new Map<string, string>();
  for (const file of code) {
    const text = readFileSync(file, "utf8");
    const pattern = /(?:process\.env(?:\.|\[")|os\.environ(?:\.get\(|\[)["']|os\.getenv\(["']|\$\{?)(RUNLOG_[A-Z0-9_]+)/g;
    for (const match of text.matchAll(pattern)) if (!read.has(match[1] as string)) read.set(match[1] as string, relative(REPO, file));
  }
  return read;
}

describe("environment variables", () => {
  it("every RUNLOG_* variable the code reads is documented in a README, docs/ or DEVELOPERS.md", () => {
    const docs = [
      join(REPO, "README.md"),
      join(REPO, "DEVELOPERS.md"),
      ...filesUnder(join(REPO, "docs"), (p) => p.endsWith(".md")),
      ...filesUnder(join(REPO, "packages"), (p) => /(README|PROTOCOL)\.md$/.test(p)),
    ]
      .map((file) => readFileSync(file, "utf8"))
      .join("\n");
    const read = variablesRead();
    expect(read.size).toBeGreaterThan(10);
    const undocumented = [...read].filter(([name]) => !new RegExp(`\\b${name}\\b`).test(docs)).map(([name, file]) => `${name} (${file})`);
    expect(undocumented).toEqual([]);
  });
});
