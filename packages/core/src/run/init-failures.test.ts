import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { finished, INIT_OUTCOME_SCRIPT, spawnScript } from "../test-support/child-process.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

/**
 * Every failure of init() must reject promptly with its RunlogError. These run in a child
 * process with nothing else keeping its event loop alive: a promise that never settles makes
 * node exit with code 13 and no message there, while vitest's own live loop would hide it.
 */
async function initInChild(options: Record<string, unknown>) {
  const result = await finished(spawnScript(INIT_OUTCOME_SCRIPT, [JSON.stringify({ entity: "tester", project: "test", ...options })]));
  return { ...result, line: result.stdout.trim() };
}

async function existingRun(root: string, id: string): Promise<void> {
  const run = await initIn(root, { id });
  run.log({ a: 1 });
  await run.finish();
}

describe("init() failures settle with their RunlogError (child process, nothing else alive)", () => {
  it("an existing id without resume: RESUME_CONFLICT", async () => {
    const root = tempRoot();
    await existingRun(root, "exists01");
    const result = await initInChild({ dir: root, id: "exists01" });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(2);
    expect(result.line).toMatch(/^error RESUME_CONFLICT Run "exists01" already exists\. Pass resume/);
  }, 90_000);

  it('resume "never" on an existing run: RESUME_CONFLICT', async () => {
    const root = tempRoot();
    await existingRun(root, "exists02");
    const result = await initInChild({ dir: root, id: "exists02", resume: "never" });
    expect(result.code).toBe(2);
    expect(result.line).toMatch(/^error RESUME_CONFLICT resume "never"/);
  }, 90_000);

  it('resume "must" on a missing run: RUN_NOT_FOUND, and no run folder is left behind', async () => {
    const root = tempRoot();
    const result = await initInChild({ dir: root, id: "missing1", resume: "must" });
    expect(result.code).toBe(2);
    expect(result.line).toMatch(/^error RUN_NOT_FOUND resume "must"/);
    expect(existsSync(join(root, "runs", "tester", "test", "missing1"))).toBe(false);
  }, 90_000);

  it("a dir that is a file: INVALID_ARGUMENT naming the file", async () => {
    const file = join(tempRoot(), "not-a-folder");
    writeFileSync(file, "x");
    const result = await initInChild({ dir: file, id: "file0001" });
    expect(result.code).toBe(2);
    expect(result.line).toMatch(/^error INVALID_ARGUMENT .*not-a-folder.* is a file/);
  }, 90_000);

  it("a corrupt runlog.db: STORE_ERROR naming the store", async () => {
    const root = tempRoot();
    writeFileSync(join(root, "runlog.db"), "this is not a database, just some bytes ".repeat(200));
    const result = await initInChild({ dir: root, id: "corrupt1" });
    expect(result.code).toBe(2);
    expect(result.line).toMatch(/^error STORE_ERROR Cannot open the runlog store at .*runlog\.db/);
  }, 90_000);

  it("a dir under /proc (mkdir fails with ENOENT under an existing parent): INVALID_ARGUMENT, no spin", async () => {
    const result = await initInChild({ dir: "/proc/runlog-no-such/root", id: "proc0001" });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(2);
    expect(result.line).toMatch(/^error INVALID_ARGUMENT Cannot create the runlog folder \/proc\/runlog-no-such\/root/);
  }, 90_000);

  it("forkFrom a missing run and a second offline run with one id: RUN_NOT_FOUND, RESUME_CONFLICT", async () => {
    const root = tempRoot();
    const fork = await initInChild({ dir: root, forkFrom: "nothere1?_step=1" });
    expect(fork.code).toBe(2);
    expect(fork.line).toMatch(/^error RUN_NOT_FOUND forkFrom: run "nothere1" does not exist/);
    expect((await initInChild({ dir: root, id: "offline1", mode: "offline" })).code).toBe(0);
    const again = await initInChild({ dir: root, id: "offline1", mode: "offline" });
    expect(again.code).toBe(2);
    expect(again.line).toMatch(/^error RESUME_CONFLICT An offline run with id "offline1" already exists/);
  }, 90_000);

  it("a successful init in the same kind of child still exits 0 (the harness itself is sound)", async () => {
    const result = await initInChild({ dir: tempRoot(), id: "fine0001" });
    expect(result.code).toBe(0);
    expect(result.line).toBe("ok fine0001");
  }, 90_000);
});

describe("RUNLOG_RESUME", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('RUNLOG_RESUME=auto remembers the run id like resume: "auto" does', async () => {
    const root = tempRoot();
    vi.stubEnv("RUNLOG_RESUME", "auto");
    const first = await initIn(root);
    first.log({ a: 1 });
    expect(JSON.parse(readFileSync(join(root, "resume.json"), "utf8")).runId).toBe(first.id);
    await first.finish({ exitCode: 1 });
    const second = await initIn(root);
    expect(second.id).toBe(first.id);
    expect(second.resumed).toBe(true);
    expect(second.step).toBe(1);
    await second.finish();
  });
});
