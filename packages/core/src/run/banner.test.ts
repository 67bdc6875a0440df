import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { tempRoot } from "../test-support/temp-root.js";

const CHILD = fileURLToPath(new URL("../test-support/children/child-banner.mjs", import.meta.url));

/** Runs a child whose run logs 3 steps; returns the run it made and what it printed on stderr. */
function bannerChild(root: string, mode: string, env: NodeJS.ProcessEnv = {}, settings?: object, cwd = dirname(root)) {
  const child = spawn(process.execPath, [CHILD, root, mode, ...(settings ? [JSON.stringify(settings)] : [])], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUNLOG_SILENT: "", WANDB_SILENT: "", RUNLOG_QUIET: "", RUNLOG_UI_URL: "", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise<{ code: number | null; run: { id: string; name: string; url?: string }; lines: string[] }>((resolve) =>
    child.on("close", (code) => resolve({ code, run: JSON.parse(stdout || "{}"), lines: stderr.trim().split("\n").filter(Boolean) })),
  );
}

describe("init banner and finish summary", () => {
  it("a local run says once where it is stored and where to look, then a summary with its final metrics", async () => {
    const root = join(tempRoot(), "runlog");
    const { code, run, lines } = await bannerChild(root, "local");
    expect(code).toBe(0);
    const url = `http://127.0.0.1:6006/tester/banner/runs/${run.id}`;
    expect(run.url).toBe(url);
    expect(lines).toEqual([
      `runlog: logging run "${run.name}" (tester/banner/${run.id}) to ./runlog`,
      `runlog: watch it live: \`npx runlog ui\` → ${url}`,
      expect.stringMatching(new RegExp(`^runlog: run "${run.name}" finished after \\d+\\.\\d s, 3 steps: loss 0\\.3333, acc 0\\.5$`)),
      `runlog: saved in ./runlog; look at it with \`npx runlog ui\` → ${url} (or \`npx runlog runs show tester/banner/${run.id}\`)`,
    ]);
  });

  it("the finish line groups the step count's digits and shows the runtime `runs ls` reads back", async () => {
    const root = join(tempRoot(), "runlog");
    const { code, run, lines } = await bannerChild(root, "local", { BANNER_STEPS: "12345" });
    expect(code).toBe(0);
    const finish = lines[2]?.match(/ finished after (\d+\.\d) s, 12,345 steps: loss /);
    expect(finish, lines[2]).not.toBeNull();
    const api = new Api({ dir: root });
    try {
      // The same runtime (the exit record's) rounded the same way as `runs ls` / `runs show` print it.
      expect((await api.run(`tester/banner/${run.id}`)).runtime.toFixed(1)).toBe(finish?.[1]);
    } finally {
      api.close();
    }
  });

  it("an offline run names its folder and the sync command at start and at finish", async () => {
    const root = tempRoot();
    const { code, run, lines } = await bannerChild(root, "offline", {}, undefined, root);
    expect(code).toBe(0);
    const runDir = join(root, "runs", run.id);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(`offline run "${run.name}"`);
    expect(lines[0]).toContain(`\`npx runlog sync ./runs/tester/banner/${run.id}\``);
    expect(lines[1]).toMatch(/finished after .* 3 steps: loss/);
    expect(lines[2]).toBe(
      `runlog: offline: saved in ./runs/tester/banner/${run.id}; add it to the store with \`npx runlog sync ./runs/tester/banner/${run.id}\` (or upload it with --server URL).`,
    );
    expect(runDir).toContain(root);
  });

  it("a store elsewhere is named with --dir in the dashboard command", async () => {
    const root = join(tempRoot(), "elsewhere");
    const { lines } = await bannerChild(root, "local");
    expect(lines[1]).toMatch(/^runlog: watch it live: `npx runlog ui --dir \.\/elsewhere` → http:\/\/127\.0\.0\.1:6006\//);
  });

  it("RUNLOG_SILENT=true, W&B's WANDB_SILENT=true, RUNLOG_QUIET=true or settings.quiet print nothing", async () => {
    const cases = [[{ RUNLOG_SILENT: "true" }], [{ WANDB_SILENT: "true" }], [{ RUNLOG_QUIET: "true" }], [{}, { quiet: true }]] as const;
    for (const [env, settings] of cases) {
      const { code, lines } = await bannerChild(tempRoot(), "local", env, settings);
      expect(code).toBe(0);
      expect(lines).toEqual([]);
    }
    // RUNLOG_SILENT, when set, wins over W&B's name.
    const { lines } = await bannerChild(tempRoot(), "local", { RUNLOG_SILENT: "false", WANDB_SILENT: "true" });
    expect(lines[0]).toMatch(/^runlog: logging run /);
  });
});
