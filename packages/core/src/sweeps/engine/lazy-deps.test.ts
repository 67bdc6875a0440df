import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// Against the build, in a fresh process: what importing @runlog/core loads is Node's module cache,
// which vitest's own loading would blur.
const CORE = new URL("../../../dist/index.js", import.meta.url).href;
const HEAVY = String.raw`/node_modules\/(yaml|ml-matrix|@stdlib)\//`;

function inFreshProcess(body: string): string[] {
  const script = `import { createRequire } from "node:module";
const core = await import(${JSON.stringify(CORE)});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => ${HEAVY}.test(path)).length;
const out = [];
${body}
console.log(JSON.stringify(out));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout.trim().split("\n").pop() as string) as string[];
}

describe("the sweep engine's libraries load on first use", () => {
  it("importing @runlog/core loads none of yaml, ml-matrix, stdlib; parsing a sweep config loads yaml and still parses it", () => {
    const out = inFreshProcess(`out.push("at import: " + loaded());
const config = core.parseSweepConfigText("method: bayes\\nmetric: {name: loss}\\nparameters:\\n  lr: {min: 1.0, max: 10}\\n");
out.push("after parse: " + (loaded() > 0), config.parameters.lr.distribution);
try { core.parseSweepConfigText("method: [unclosed"); } catch (error) { out.push(error.code); }`);
    expect(out).toEqual(["at import: 0", "after parse: true", "uniform", "SWEEP_CONFIG_INVALID"]);
  });
});
