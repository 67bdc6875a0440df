import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../test-support/temp-root.js";

// finish({ quiet: true }) drops the finish summary while the init banner (settings.quiet false) stays.
const CORE = pathToFileURL(join(import.meta.dirname, "..", "..", "dist", "index.js")).href;

function stderrOf(root: string, finishOptions: string): string[] {
  const script = `
const { init } = await import(${JSON.stringify(CORE)});
const run = await init({ dir: ${JSON.stringify(root)}, project: "quiet", entity: "tester", settings: { console: "off", disableStats: true } });
run.log({ loss: 0.5 });
await run.finish(${finishOptions});
`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, RUNLOG_SILENT: "", RUNLOG_QUIET: "" },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(child.status).toBe(0);
  return child.stderr.trim().split("\n").filter(Boolean);
}

describe("finish({ quiet })", () => {
  it("prints no finish summary when quiet, and the control run prints it", () => {
    const control = stderrOf(tempRoot(), "");
    expect(control.some((line) => /finished after .* 1 steps?: loss 0\.5/.test(line))).toBe(true);
    const quiet = stderrOf(tempRoot(), "{ quiet: true }");
    expect(quiet.length).toBeGreaterThan(0);
    expect(quiet.every((line) => line.startsWith("runlog: logging run") || line.startsWith("runlog: watch it live"))).toBe(true);
  });
});
