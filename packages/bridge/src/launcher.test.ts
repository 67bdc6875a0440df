import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { onLines } from "@runlog/test-support/child-process";
import { afterEach, describe, expect, it, vi } from "vitest";

// The Python client's auto-started bridge (runlog/_launcher.py) with the real CLI, from real Python processes.
const PYTHON = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
const PACKAGE = fileURLToPath(new URL("../python/", import.meta.url));
const CLI = fileURLToPath(new URL("../../cli/bin/runlog.js", import.meta.url));

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "runlog-launch-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}

/** Logs 10 rows, waits until the bridge acked them, prints the run path and blocks on stdin (until killed or stdin closes). */
const LOG_AND_WAIT = `
import sys
sys.path.insert(0, ${JSON.stringify(PACKAGE)})
import runlog
from runlog import _launcher
run = runlog.init(project="launch", entity="tester")
for i in range(10):
    runlog.log({"i": i})
assert run._connection.drain(run.id, 30) == 0
process = _launcher._started.get("process")
print(run.path, _launcher._started["endpoint"], process.pid if process else "-", flush=True)
if sys.stdin.read() == "finish":
    run.finish()
`;

interface Started {
  child: ChildProcess;
  path: string;
  endpoint: string;
  pid: string;
  exit: Promise<number | null>;
}

/** A git repository holding one commit of train.py (the script, when a test runs it from there). */
function gitRepo(parent: string, name: string): { root: string; commit: string } {
  const root = join(parent, name);
  mkdirSync(root);
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { encoding: "utf8" }).trim();
  git("init", "-q", "-b", "main");
  writeFileSync(join(root, "train.py"), LOG_AND_WAIT);
  git("add", ".");
  git("commit", "-qm", name);
  return { root, commit: git("rev-parse", "HEAD") };
}

/** Runs LOG_AND_WAIT, or `python train.py` in `cwd` (a gitRepo). */
function startScript(env: Record<string, string>, cwd?: string): Promise<Started> {
  const args = cwd === undefined ? ["-c", LOG_AND_WAIT] : ["train.py", "--seed", "1"];
  const child = spawn(PYTHON, args, { env: { ...process.env, RUNLOG_CLI: CLI, RUNLOG_BRIDGE: "", ...env }, ...(cwd ? { cwd } : {}) });
  cleanups.push(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    onLines(child, (line) => {
      const [path, endpoint, pid] = line.split(" ");
      if (path && endpoint && pid) resolve({ child, path, endpoint, pid, exit });
    });
    void exit.then((code) => reject(new Error(`the script exited ${code} before it logged: ${stderr}`)));
  });
}

/** Gone, or a zombie nobody reaps yet (a container's init may never): either way it no longer runs. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const socketFolder = (endpoint: string) => join(endpoint.slice("ipc://".length), "..");

async function storedRun(dir: string, path: string) {
  const api = new Api({ dir });
  try {
    const run = await api.run(path);
    const rows = [];
    for await (const row of run.scanHistory()) rows.push(row.i);
    return { state: run.state, rows, metadata: run.metadata };
  } finally {
    api.close();
  }
}

const TEN = Array.from({ length: 10 }, (_, i) => i);

describe("the bridge the Python client starts", () => {
  it("private (RUNLOG_BRIDGE_SHARED=0): exits with its script even when the script is SIGKILLed, and removes its socket folder", async () => {
    const dir = tempDir();
    const store = join(dir, "runlog");
    const script = await startScript({ RUNLOG_BRIDGE_SHARED: "0", RUNLOG_DIR: store, TMPDIR: dir });
    const bridgePid = Number(script.pid);
    const folder = socketFolder(script.endpoint);
    expect(running(bridgePid)).toBe(true);
    expect(folder.startsWith(dir)).toBe(true);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    script.child.kill("SIGKILL");
    await vi.waitFor(() => expect(running(bridgePid) || existsSync(folder)).toBe(false), { timeout: 20_000, interval: 50 });
    // The run its client never finished is crashed, with every acked row.
    expect(await storedRun(store, script.path)).toMatchObject({ state: "crashed", rows: TEN });
  });

  it("shared (the default): later scripts find the running bridge; it exits after the last one is gone (SIGKILL included) and removes its folder", async () => {
    const dir = tempDir();
    const store = join(dir, "runlog");
    const runtime = join(dir, "runtime");
    const env = { RUNLOG_DIR: store, RUNLOG_RUNTIME_DIR: runtime, RUNLOG_BRIDGE_IDLE: "0.5" };
    // The bridge starts in repository a (both first scripts run there); the third script runs in b.
    const a = gitRepo(dir, "a");
    const b = gitRepo(dir, "b");
    // Two scripts started at once: the lock lets one start the bridge, the other finds it.
    const [first, second] = await Promise.all([startScript(env, a.root), startScript(env, a.root)]);
    expect(second.endpoint).toBe(first.endpoint);
    expect(statSync(runtime).mode & 0o777).toBe(0o700);
    const record = readdirSync(runtime).find((name) => name.endsWith(".json")) as string;
    const bridgePid = (JSON.parse(readFileSync(join(runtime, record), "utf8")) as { pid: number }).pid;
    const folder = socketFolder(first.endpoint);

    first.child.stdin?.end("finish");
    expect(await first.exit).toBe(0);
    expect(running(bridgePid)).toBe(true); // the second script still logs through it
    // A third script, started while the second runs, finds the same bridge again.
    const third = await startScript(env, b.root);
    expect(third.endpoint).toBe(first.endpoint);
    third.child.stdin?.end("finish");
    expect(await third.exit).toBe(0);

    second.child.kill("SIGKILL");
    await vi.waitFor(() => expect(running(bridgePid) || existsSync(folder)).toBe(false), { timeout: 20_000, interval: 50 });
    expect(await storedRun(store, first.path)).toMatchObject({ state: "finished", rows: TEN });
    expect(await storedRun(store, second.path)).toMatchObject({ state: "crashed", rows: TEN });
    // Each run names its own script's folder, program and repository, not the bridge's.
    for (const [script, repo] of [
      [first, a],
      [third, b],
    ] as const) {
      const { state, rows, metadata } = await storedRun(store, script.path);
      expect({ state, rows }).toEqual({ state: "finished", rows: TEN });
      expect(metadata).toMatchObject({
        cwd: repo.root,
        program: join(repo.root, "train.py"),
        args: ["--seed", "1"],
        pid: script.child.pid,
      });
      expect(metadata.git).toEqual({ commit: repo.commit, branch: "main", dirty: false, root: repo.root });
    }

    // After it stopped, the next script starts a new one in place of the stale record.
    const fourth = await startScript(env);
    expect(fourth.endpoint).not.toBe(first.endpoint);
    fourth.child.stdin?.end("finish");
    expect(await fourth.exit).toBe(0);
  });

  it("refuses a runtime folder other users can open, and says what to do", async () => {
    const dir = tempDir();
    const runtime = join(dir, "runtime");
    mkdirSync(runtime);
    chmodSync(runtime, 0o777);
    const child = spawn(PYTHON, ["-c", LOG_AND_WAIT], {
      env: { ...process.env, RUNLOG_CLI: CLI, RUNLOG_BRIDGE: "", RUNLOG_DIR: join(dir, "runlog"), RUNLOG_RUNTIME_DIR: runtime },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/BridgeNotFound: .*runtime must be a folder of your own that only you can open \(mode 0700/);
    expect(readdirSync(runtime)).toEqual([]);
  });
});
