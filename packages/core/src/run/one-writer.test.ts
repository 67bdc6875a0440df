import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exited, finished, RACE_INIT_SCRIPT, spawnChild, spawnScript, watchLines } from "../test-support/child-process.js";
import { initIn, readHistory } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { runFolder } from "./run-folder.js";

describe("exactly one writer per run", () => {
  it("8 processes released at the same moment race init({ id, resume: 'allow' }): one wins, 7 get RESUME_CONFLICT, history is one writer's", async () => {
    const root = tempRoot();
    const barrier = join(root, "go");
    const children = Array.from({ length: 8 }, (_, n) => spawnScript(RACE_INIT_SCRIPT, [root, "race0001", barrier, String(n)]));
    const lines = children.map((child) => {
      const seen: string[] = [];
      child.stdout?.on("data", (chunk: Buffer) => seen.push(...chunk.toString().split("\n").filter(Boolean)));
      return seen;
    });
    const results = children.map((child) => finished(child, 120_000));
    await Promise.all(children.map((child) => watchLines(child, (line) => line === "ready")));
    writeFileSync(barrier, "");
    // Wait for every contender's answer: 7 exits and one "won" (the winner keeps its run open).
    const winnerIndex = await new Promise<number>((resolve) => {
      const check = () => {
        const won = lines.findIndex((seen) => seen.includes("won"));
        const answered = lines.filter((seen) => seen.some((line) => line === "won" || line.startsWith("error"))).length;
        if (answered === 8 && won >= 0) resolve(won);
        else setTimeout(check, 20);
      };
      check();
    });
    const winner = children[winnerIndex];
    winner?.stdin?.end(); // lets the winner finish its run
    const outcomes = await Promise.all(results);
    const errors = lines.flat().filter((line) => line.startsWith("error"));
    expect(lines.filter((seen) => seen.includes("won")).length).toBe(1);
    expect(errors).toEqual(Array.from({ length: 7 }, () => "error RESUME_CONFLICT"));
    expect(outcomes.map((o) => o.code).sort()).toEqual([0, 2, 2, 2, 2, 2, 2, 2]);
    const rows = await readHistory(root, "tester/race/race0001", ["writer", "i"]);
    expect(rows.map((row) => row.writer)).toEqual(Array.from({ length: 100 }, () => winnerIndex));
    expect(rows.map((row) => row.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // One attempt log: no loser opened one.
    const dir = runFolder(root, { entity: "tester", project: "race", id: "race0001" });
    expect(readdirSync(dir).filter((name) => name.endsWith(".rlog"))).toEqual(["attempt-0000.rlog"]);
  }, 180_000);

  it("a second live init for the same id in one process is refused; after finish() it resumes", async () => {
    const root = tempRoot();
    const first = await initIn(root, { id: "twice001" });
    first.log({ a: 1 });
    await expect(initIn(root, { id: "twice001", resume: "allow" })).rejects.toMatchObject({
      code: "RESUME_CONFLICT",
      message: expect.stringMatching(/in this process/),
    });
    first.log({ a: 2 }); // the refused init left the live run alone
    await first.finish();
    const again = await initIn(root, { id: "twice001", resume: "allow" });
    expect(again.step).toBe(2);
    await again.finish();
    expect((await readHistory(root, first.path, ["a"])).map((row) => row.a)).toEqual([1, 2]);
  });

  it("an init that fails after taking the lock gives it back: the same id starts right after, in this process", async () => {
    const root = tempRoot();
    await expect(initIn(root, { id: "again001", resume: "must" })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    // A run.json that cannot be written (a folder in its place) fails init after the checks.
    const dir = runFolder(root, { entity: "tester", project: "test", id: "again002" });
    mkdirSync(join(dir, "run.json"), { recursive: true });
    await expect(initIn(root, { id: "again002" })).rejects.toThrow(/EISDIR/);
    expect(existsSync(join(dir, "run.lock"))).toBe(false);
    rmSync(join(dir, "run.json"), { recursive: true });
    for (const id of ["again001", "again002"]) {
      const run = await initIn(root, { id });
      expect(run.resumed).toBe(false);
      await run.finish();
    }
  });

  it("the lock of a process killed with SIGKILL is taken over at once", async () => {
    const root = tempRoot();
    const child = spawnChild("until-killed", root, "killed01");
    const done = exited(child);
    await watchLines(child, (line) => line.startsWith("started"));
    const lock = join(runFolder(root, { entity: "tester", project: "test", id: "killed01" }), "run.lock");
    expect(JSON.parse(readFileSync(lock, "utf8")).pid).toBe(child.pid);
    await expect(initIn(root, { id: "killed01", resume: "allow" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    const resumed = await initIn(root, { id: "killed01", resume: "allow" });
    expect(JSON.parse(readFileSync(lock, "utf8")).pid).toBe(process.pid);
    expect(readdirSync(join(lock, "..")).filter((name) => name.includes("takeover"))).toEqual([]);
    await resumed.finish();
    expect(existsSync(lock)).toBe(false);
  }, 60_000);

  it("a refused init (a live writer holds the run) leaves the writer's folder untouched", async () => {
    const root = tempRoot();
    const child = spawnChild("wait-for-signal", root, "busy0001");
    const done = finished(child);
    await watchLines(child, (line) => line === "ready");
    const dir = runFolder(root, { entity: "tester", project: "test", id: "busy0001" });
    const before = readdirSync(dir).sort();
    await expect(initIn(root, { id: "busy0001", resume: "must" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
    expect(readdirSync(dir).sort()).toEqual(before);
    child.kill("SIGTERM");
    await done;
  }, 60_000);
});
