import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { syncRunDir } from "../sync.js";
import { CLI_BIN, run as runCommand } from "../test-support/child-process.js";
import { initIn, readHistory } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { listRunFolders, type RunAddress, rootOfRunFolder, runFolder } from "./run-folder.js";

async function logged(root: string, address: RunAddress, values: number[], file?: [string, string]): Promise<void> {
  const run = await initIn(root, { ...address });
  for (const v of values) run.log({ v });
  if (file !== undefined) {
    const source = join(tempRoot(), file[0]);
    writeFileSync(source, file[1]);
    await run.save(source, { policy: "now", basePath: join(source, "..") });
  }
  await run.finish();
}

const values = async (root: string, path: string) => (await readHistory(root, path, ["v"])).map((row) => row.v);

/** Moves a run folder back to the layout older versions wrote (`runs/<id>`). */
function toOldLayout(root: string, address: RunAddress): string {
  const legacy = join(root, "runs", address.id);
  const aside = join(root, "runs-aside");
  renameSync(runFolder(root, address), aside); // via a side name: runs/<id> may be the entity's folder
  rmdirSync(join(root, "runs", address.entity, address.project));
  rmdirSync(join(root, "runs", address.entity));
  renameSync(aside, legacy);
  return legacy;
}

const A = { entity: "tester", project: "alpha", id: "same0001" };
const B = { entity: "tester", project: "beta", id: "same0001" };

describe("run folders are unique per entity/project/id", () => {
  it("the same id in two projects gets two folders; both survive a rebuild of the store from the logs (runlog sync --all)", async () => {
    const root = tempRoot();
    await logged(root, A, [1, 2, 3]);
    await logged(root, B, [10, 20]);
    expect(runFolder(root, A)).toBe(join(root, "runs", "tester", "alpha", "same0001"));
    expect(runFolder(root, B)).toBe(join(root, "runs", "tester", "beta", "same0001"));
    expect(existsSync(join(runFolder(root, A), "attempt-0000.rlog"))).toBe(true);
    expect(existsSync(join(runFolder(root, B), "attempt-0000.rlog"))).toBe(true);

    // Lose the store; rebuild it from the transaction logs alone. (`force`: the finished runs' store
    // workers may still be closing, and closing removes the -shm/-wal files themselves.)
    for (const name of readdirSync(root)) if (name.startsWith("runlog.db")) rmSync(join(root, name), { force: true });
    const cli = await runCommand(process.execPath, [CLI_BIN, "sync", "--all", "--dir", root]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.trim().split("\n")).toHaveLength(2);
    expect(await values(root, "tester/alpha/same0001")).toEqual([1, 2, 3]);
    expect(await values(root, "tester/beta/same0001")).toEqual([10, 20]);
  }, 60_000);

  it("restore({ runPath }) reads that run's files only, never this project's run with the same id", async () => {
    const root = tempRoot();
    await logged(root, A, [1], ["weights.txt", "alpha weights"]);
    await logged(root, B, [1], ["other.txt", "beta file"]);
    const reader = await initIn(root, { entity: "tester", project: "beta", id: "reader01" });
    const out = tempRoot();
    const fromAlpha = await reader.restore("weights.txt", { runPath: "tester/alpha/same0001", root: out });
    expect(fromAlpha !== undefined && readFileSync(fromAlpha, "utf8")).toBe("alpha weights");
    // beta/same0001 has no weights.txt: alpha's same-id run must not answer for it.
    expect(await reader.restore("weights.txt", { runPath: "tester/beta/same0001", root: tempRoot() })).toBeUndefined();
    await reader.finish();
  });

  it("the Api reads each same-id run's own files", async () => {
    const root = tempRoot();
    await logged(root, A, [1], ["notes.txt", "alpha"]);
    await logged(root, B, [1], ["notes.txt", "beta"]);
    const api = new Api({ dir: root });
    expect(readFileSync((await api.run("tester/alpha/same0001")).filePath("notes.txt"), "utf8")).toBe("alpha");
    expect(readFileSync((await api.run("tester/beta/same0001")).filePath("notes.txt"), "utf8")).toBe("beta");
    api.close();
  });
});

describe("roots written with the older layout (runs/<id>)", () => {
  it("still read, sync into a fresh store and resume; the folder moves to runs/<entity>/<project>/<id> on first use", async () => {
    const root = tempRoot();
    await logged(root, A, [1, 2], ["notes.txt", "old"]);
    const legacy = toOldLayout(root, A);
    for (const name of readdirSync(root)) if (name.startsWith("runlog.db")) rmSync(join(root, name), { force: true });
    expect(listRunFolders(root).map((entry) => entry.dir)).toEqual([runFolder(root, A)]);
    expect(existsSync(legacy)).toBe(false);

    const cli = await runCommand(process.execPath, [CLI_BIN, "sync", "--all", "--dir", root]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(await values(root, "tester/alpha/same0001")).toEqual([1, 2]);
    const api = new Api({ dir: root });
    expect(readFileSync((await api.run("tester/alpha/same0001")).filePath("notes.txt"), "utf8")).toBe("old");
    api.close();

    const resumed = await initIn(root, { ...A, resume: "must" });
    expect(resumed.step).toBe(2);
    resumed.log({ v: 3 });
    await resumed.finish();
    expect(await values(root, "tester/alpha/same0001")).toEqual([1, 2, 3]);
    expect(readdirSync(runFolder(root, A)).filter((name) => name.endsWith(".rlog"))).toEqual(["attempt-0000.rlog", "attempt-0001.rlog"]);
  }, 60_000);

  it("an old folder a live process still writes stays where it is, and reads and syncs there", async () => {
    const root = tempRoot();
    await logged(root, A, [5, 6], ["notes.txt", "in place"]);
    const legacy = toOldLayout(root, A);
    // The parent process (vitest) is alive: its lock (an older version's format) says it writes this run.
    writeFileSync(join(legacy, "run.lock"), JSON.stringify({ pid: process.ppid, host: hostname() }));
    expect(runFolder(root, A)).toBe(legacy);
    expect(rootOfRunFolder(legacy)).toBe(root);
    for (const name of readdirSync(root)) if (name.startsWith("runlog.db")) rmSync(join(root, name), { force: true });
    expect(syncRunDir(legacy).applied).toBeGreaterThan(0);
    expect(await values(root, "tester/alpha/same0001")).toEqual([5, 6]);
    const api = new Api({ dir: root });
    expect(readFileSync((await api.run("tester/alpha/same0001")).filePath("notes.txt"), "utf8")).toBe("in place");
    api.close();
    expect(listRunFolders(root).map((entry) => entry.dir)).toEqual([legacy]);
  });

  it("an old run whose id is an entity's name moves out of that entity's way", async () => {
    const root = tempRoot();
    const old = { entity: "tester", project: "alpha", id: "team" };
    await logged(root, old, [7]);
    toOldLayout(root, old); // runs/team holds run tester/alpha/team
    await logged(root, { entity: "team", project: "alpha", id: "fresh001" }, [8]);
    expect(runFolder(root, old)).toBe(join(root, "runs", "tester", "alpha", "team"));
    expect(existsSync(join(root, "runs", "team", "run.json"))).toBe(false);
    expect(listRunFolders(root).map((entry) => entry.address?.entity)).toEqual(["team", "tester"]);
    expect(await values(root, "tester/alpha/team")).toEqual([7]);
    expect(await values(root, "team/alpha/fresh001")).toEqual([8]);
  });

  it("an old run whose id is an entity's name, still written by a live process, refuses that entity's new runs instead of nesting them", async () => {
    const root = tempRoot();
    const old = { entity: "tester", project: "alpha", id: "team" };
    await logged(root, old, [7]);
    const legacy = toOldLayout(root, old);
    writeFileSync(join(legacy, "run.lock"), JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(initIn(root, { entity: "team", project: "alpha", id: "fresh001" })).rejects.toMatchObject({
      code: "RESUME_CONFLICT",
      message: expect.stringMatching(/older run/),
    });
    expect(readdirSync(legacy).sort()).toEqual(["attempt-0000.rlog", "files", "run.json", "run.lock"]);
  });

  it("an old run whose id equals its own entity moves into runs/<entity>/<project>/<id> (inside its old place)", async () => {
    const root = tempRoot();
    const self = { entity: "tester", project: "alpha", id: "tester" };
    await logged(root, self, [9]);
    toOldLayout(root, self);
    mkdirSync(join(root, "runs", "extra"), { recursive: true }); // an unrelated empty folder is ignored
    expect(runFolder(root, self)).toBe(join(root, "runs", "tester", "alpha", "tester"));
    expect(readFileSync(join(runFolder(root, self), "run.json"), "utf8")).toContain('"id":"tester"');
    expect(listRunFolders(root).map((entry) => entry.dir)).toEqual([runFolder(root, self)]);
  });
});
