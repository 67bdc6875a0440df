import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { tempRoot } from "../test-support/temp-root.js";

// init() with no project, entity or dir (spec: "uncategorized", RUNLOG_ENTITY or the OS user,
// RUNLOG_DIR or ./runlog), in a child whose working folder is a fresh temp folder, so the
// default ./runlog cannot land in the repository.
const CORE = pathToFileURL(join(import.meta.dirname, "..", "..", "dist", "index.js")).href;
const SCRIPT = `
const { init } = await import(${JSON.stringify(CORE)});
const run = await init({ settings: { quiet: true, console: "off", disableStats: true } });
run.log({ x: 1 });
await run.finish();
console.log(JSON.stringify({ entity: run.entity, project: run.project, path: run.path }));
`;

function initInChild(cwd: string, env: NodeJS.ProcessEnv) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("RUNLOG_")));
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
    cwd,
    env: { ...clean, RUNLOG_SILENT: "true", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(child.stderr).toBe("");
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout.trim()) as { entity: string; project: string; path: string };
}

async function storedState(root: string, path: string) {
  const api = new Api({ dir: root });
  try {
    return (await api.run(path)).state;
  } finally {
    api.close();
  }
}

describe("init() defaults", () => {
  it("project uncategorized, entity the OS user, store in ./runlog of the working folder", async () => {
    const cwd = tempRoot();
    const run = initInChild(cwd, {});
    expect(run.project).toBe("uncategorized");
    expect(run.entity).toBe(userInfo().username);
    expect(readdirSync(cwd)).toEqual(["runlog"]);
    expect(await storedState(join(cwd, "runlog"), run.path)).toBe("finished");
  });

  it("RUNLOG_ENTITY, RUNLOG_PROJECT and RUNLOG_DIR fill what the options leave out", async () => {
    const cwd = tempRoot();
    const dir = join(tempRoot(), "elsewhere");
    const run = initInChild(cwd, { RUNLOG_ENTITY: "team-a", RUNLOG_PROJECT: "vision", RUNLOG_DIR: dir });
    expect(run).toMatchObject({ entity: "team-a", project: "vision" });
    expect(run.path.startsWith("team-a/vision/")).toBe(true);
    expect(existsSync(join(cwd, "runlog"))).toBe(false);
    expect(await storedState(dir, run.path)).toBe("finished");
  });
});
