import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Api } from "../../api/api.js";
import { init } from "../../run/init.js";
import { hasLiveRunWriter } from "../../run/run-folder.js";
import { finished, spawnChild, watchLines } from "../../test-support/child-process.js";
import { QUIET, tempRoot } from "../../test-support/temp-root.js";
import { DB_FILE } from "./database.js";

const CORE = fileURLToPath(new URL("../../../dist/index.js", import.meta.url));

/** A finished run's store with one b-tree page header overwritten (damage SQLite's quick_check finds) and the WAL a killed process leaves. */
async function damagedStore(): Promise<string> {
  const root = tempRoot();
  const run = await init({ dir: root, project: "test", entity: "tester", settings: QUIET });
  for (let step = 0; step < 3_000; step++) run.log({ loss: 1 / (step + 1), note: `step ${step}` });
  await run.finish();
  const path = join(root, DB_FILE);
  // The store worker closes (checkpoints, removes the WAL) just after finish(): damage the file once it is shut.
  while (existsSync(`${path}-wal`)) await new Promise((resolve) => setTimeout(resolve, 10));
  const bytes = readFileSync(path);
  bytes.fill(0xff, 16_384 * 2 + 8, 16_384 * 2 + 64);
  writeFileSync(path, bytes);
  writeFileSync(`${path}-wal`, "");
  return root;
}

/** The run once its writer has stored it (polls: the child's store worker applies in the background). */
async function storedRun(root: string, path: string) {
  for (;;) {
    try {
      return await new Api({ dir: root }).run(path);
    } catch (error) {
      if ((error as { code?: string }).code !== "RUN_NOT_FOUND") throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the store check after an unclean shutdown", () => {
  it("new Api({ dir }) over a damaged page and a leftover WAL answers STORE_CORRUPT naming doctor and sync --rebuild", async () => {
    const root = await damagedStore();
    await expect(new Api({ dir: root }).runs("tester/test")).rejects.toMatchObject({
      code: "STORE_CORRUPT",
      message: expect.stringMatching(/is damaged .*runlog doctor --dir .*runlog sync --rebuild --dir /s),
    });
  });

  it("answers STORE_CORRUPT from a child process that has nothing else keeping its event loop alive", async () => {
    const root = await damagedStore();
    const script = `const { Api } = await import(${JSON.stringify(CORE)});
      try { await new Api({ dir: process.argv[1] }).runs("tester/test"); console.log("served"); }
      catch (error) { console.log("error", error.code); process.exitCode = 2; }`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, root], { encoding: "utf8", timeout: 30_000 });
    expect([child.status, child.stdout.trim()]).toEqual([2, "error STORE_CORRUPT"]);
  });

  it("a healthy store that a live training process holds (its WAL beside it) still opens, and after that process is killed too", async () => {
    const root = tempRoot();
    const child = spawnChild("until-killed", root, "live0001");
    const done = finished(child);
    await watchLines(child, (line) => /^\d+ \d+$/.test(line) && Number(line.split(" ")[0]) >= 200);
    const run = await storedRun(root, "tester/test/live0001");
    expect(existsSync(join(root, `${DB_FILE}-wal`))).toBe(true);
    expect([run.state, hasLiveRunWriter(root)]).toEqual(["running", true]);
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    expect(hasLiveRunWriter(root)).toBe(false);
    // The killed writer left its WAL and a dead lock: the check runs, finds the store sound, and it opens.
    expect(existsSync(join(root, `${DB_FILE}-wal`))).toBe(true);
    expect((await new Api({ dir: root }).run("tester/test/live0001")).id).toBe("live0001");
  });
});
