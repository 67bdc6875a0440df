import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Api } from "../api/api.js";
import { syncRunDir } from "../sync.js";
import { run as runCommand } from "../test-support/child-process.js";
import { initIn, readHistory, userColumns } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { registerWatcher } from "../watch/registry.js";
import { init } from "./init.js";
import { runFolder } from "./run-folder.js";

/** The run as the store has it (the Api stays open so the ApiRun can keep reading). */
function stored(root: string, path: string) {
  return new Api({ dir: root }).run(path);
}

describe("init and run properties", () => {
  it("generates an id and a readable name, and exposes every spec property", async () => {
    const root = tempRoot();
    const run = await initIn(root, {
      project: "mnist",
      group: "g1",
      jobType: "train",
      notes: "first",
      tags: ["a", "b", "a"],
      config: { lr: 0.1 },
    });
    expect(run.id).toMatch(/^[a-z0-9]{8}$/);
    expect(run.name).toMatch(/^[a-z]+-[a-z]+-1$/);
    expect(run.path).toBe(`tester/mnist/${run.id}`);
    expect(run.tags).toEqual(["a", "b"]);
    expect(Object.isFrozen(run.tags)).toBe(true);
    expect(run.dir).toBe(join(root, "runs", run.entity, run.project, run.id, "files"));
    expect(existsSync(run.dir)).toBe(true);
    expect(run.url).toBe(`http://127.0.0.1:6006/tester/mnist/runs/${run.id}`);
    expect(run.projectUrl).toBe("http://127.0.0.1:6006/tester/mnist");
    expect(run.offline).toBe(false);
    expect(run.disabled).toBe(false);
    expect(run.resumed).toBe(false);
    expect(run.startTime).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(run.settings.crashTimeout).toBe(300);
    expect(Object.isFrozen(run.settings)).toBe(true);
    expect(run.config.lr).toBe(0.1);
    const snapshot = run.configStatic;
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(() => {
      (snapshot as Record<string, unknown>).lr = 1;
    }).toThrow();
    expect(run.sweepId).toBeUndefined();
    expect(run.display()).toBe(false);
    expect(run.toHtml({ height: 300 })).toBe(`<iframe src="${run.url}" style="border:none;width:100%;height:300px"></iframe>`);
    expect(run.toHtml({ hidden: true })).toBe("");

    run.name = "renamed";
    run.notes = "second";
    run.tags = ["x"];
    await run.finish();
    const back = await stored(root, run.path);
    expect(back).toMatchObject({
      name: "renamed",
      notes: "second",
      tags: ["x"],
      group: "g1",
      jobType: "train",
      state: "finished",
      exitCode: 0,
    });
    expect(back.config).toEqual({ lr: 0.1 });
    expect(back.metadata).toMatchObject({ node: process.version, pid: process.pid });
    // The second run of the project is numbered 2.
    const second = await initIn(root, { project: "mnist" });
    expect(second.name).toMatch(/-2$/);
    await second.finish();
  });

  it("reads options from the environment, and explicit options win", async () => {
    const root = tempRoot();
    process.env.RUNLOG_PROJECT = "from-env";
    process.env.RUNLOG_TAGS = "t1,t2";
    try {
      const run = await init({ dir: root, reinit: "create_new", settings: { quiet: true, console: "off", disableStats: true } });
      expect(run.project).toBe("from-env");
      expect(run.tags).toEqual(["t1", "t2"]);
      await run.finish();
      const explicit = await initIn(root, { project: "explicit" });
      expect(explicit.project).toBe("explicit");
      await explicit.finish();
    } finally {
      delete process.env.RUNLOG_PROJECT;
      delete process.env.RUNLOG_TAGS;
    }
  });

  it("finish({ exitCode }) decides finished or failed; status reports the sync state", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.log({ a: 1 });
    const status = await run.status();
    expect(status.state).toBe("running");
    expect(status.syncItemsTotal).toBeGreaterThan(0);
    await run.finish({ exitCode: 3 });
    const after = await run.status();
    expect(after).toMatchObject({ state: "failed", syncItemsPending: 0 });
    expect(after.syncTime).toBeInstanceOf(Date);
    expect((await stored(root, run.path)).state).toBe("failed");
    await expect(initIn(root).then((r) => r.finish({ exitCode: 1.5 }))).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("await using finishes the run when the block ends", async () => {
    const root = tempRoot();
    let path = "";
    {
      await using run = await initIn(root);
      path = run.path;
      run.log({ a: 1 });
    }
    expect((await stored(root, path)).state).toBe("finished");
  });

  it("markPreempting makes readers lenient", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    run.markPreempting();
    run.log({ a: 1 });
    expect((await run.status()).state).toBe("preempting");
    // The store gets the mark at the next flush: poll for it instead of sleeping.
    const api = new Api({ dir: root });
    try {
      await vi.waitFor(async () => expect((await api.run(run.path)).state).toBe("preempting"), { timeout: 10_000, interval: 25 });
    } finally {
      api.close();
    }
    await run.finish();
  });

  it("reinit: return_previous (default) returns the live run; create_new makes another", async () => {
    const root = tempRoot();
    const first = await initIn(root, { reinit: "default" });
    const again = await initIn(root, { reinit: "return_previous" });
    expect(again).toBe(first);
    const other = await initIn(root, { reinit: "create_new" });
    expect(other).not.toBe(first);
    const replaced = await initIn(root, { reinit: "finish_previous" });
    expect(replaced).not.toBe(other);
    // `finishing` is @internal (stripped from the published types this test is checked against).
    expect((other as unknown as { finishing: boolean }).finishing).toBe(true);
    await Promise.all([first.finish(), replaced.finish()]);
  });
});

describe("resume", () => {
  it("never/must/allow follow W&B's rules", async () => {
    const root = tempRoot();
    await expect(initIn(root, { id: "missing1", resume: "must" })).rejects.toMatchObject({
      code: "RUN_NOT_FOUND",
      message: expect.stringMatching(/must/),
    });
    const run = await initIn(root, { id: "abc12345", config: { lr: 0.1, keep: true } });
    run.log({ loss: 1 });
    run.log({ loss: 0.5 });
    run.summary.set("best", 0.5);
    await run.finish();
    await expect(initIn(root, { id: "abc12345", resume: "never" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
    await expect(initIn(root, { id: "abc12345" })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });

    const resumed = await initIn(root, { id: "abc12345", resume: "must", config: { lr: 0.2 } });
    expect(resumed.resumed).toBe(true);
    expect(resumed.step).toBe(2);
    expect([run.startingStep, resumed.startingStep]).toEqual([0, 2]);
    expect(resumed.name).toBe(run.name);
    expect(resumed.config.toJSON()).toEqual({ lr: 0.2, keep: true });
    expect(resumed.summary.get("best")).toBe(0.5);
    resumed.log({ loss: 0.25 });
    await resumed.finish();
    expect(userColumns(await readHistory(root, run.path, ["loss"]))).toEqual([
      { _step: 0, loss: 1 },
      { _step: 1, loss: 0.5 },
      { _step: 2, loss: 0.25 },
    ]);
    const back = await stored(root, run.path);
    expect(back.state).toBe("finished");
    expect(back.summary.loss).toBe(0.25);

    const allowNew = await initIn(root, { id: "fresh123", resume: "allow" });
    expect(allowNew.resumed).toBe(false);
    await allowNew.finish();
  });

  it("auto remembers the run id until it exits cleanly", async () => {
    const root = tempRoot();
    const first = await initIn(root, { resume: "auto" });
    first.log({ a: 1 });
    const resumeFile = join(root, "resume.json");
    expect(JSON.parse(readFileSync(resumeFile, "utf8")).runId).toBe(first.id);
    await first.finish({ exitCode: 1 });
    const second = await initIn(root, { resume: "auto" });
    expect(second.id).toBe(first.id);
    expect(second.resumed).toBe(true);
    await second.finish({ exitCode: 0 });
    expect(existsSync(resumeFile)).toBe(false);
  });

  it("resumeFrom rewinds history to a step; forkFrom copies it into a new run", async () => {
    const root = tempRoot();
    const source = await initIn(root, { id: "source01", config: { lr: 0.1 } });
    for (let i = 0; i < 10; i++) source.log({ loss: 10 - i, tag: `s${i}` });
    await source.finish();

    const fork = await initIn(root, { forkFrom: "source01?_step=4", config: { extra: 1 } });
    expect(fork.step).toBe(5);
    expect(fork.config.toJSON()).toEqual({ lr: 0.1, extra: 1 });
    fork.log({ loss: 100 });
    await fork.finish();
    const forked = userColumns(await readHistory(root, fork.path, ["loss"]));
    expect(forked.map((r) => r.loss)).toEqual([10, 9, 8, 7, 6, 100]);
    expect((await stored(root, fork.path)).forkedFrom).toBe("source01?_step=4");

    const rewound = await initIn(root, { resumeFrom: "source01?_step=6" });
    expect(rewound.id).toBe("source01");
    expect(rewound.step).toBe(7);
    rewound.log({ loss: -1 });
    await rewound.finish();
    const rows = userColumns(await readHistory(root, "tester/test/source01"));
    expect(rows.map((r) => r.loss)).toEqual([10, 9, 8, 7, 6, 5, 4, -1]);
    expect(rows.map((r) => r.tag)).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6", undefined]);
    // The original history was not touched by the fork.
    await expect(initIn(root, { resumeFrom: "source01?_step=99" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(initIn(root, { forkFrom: "nothere1?_step=1" })).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    await expect(initIn(root, { forkFrom: "source01?step=1" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(initIn(root, { resume: "allow", forkFrom: "source01?_step=1" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("modes", () => {
  it("offline writes only the transaction log; runlog sync replays it once", async () => {
    const root = tempRoot();
    const run = await initIn(root, { mode: "offline", config: { a: 1 } });
    expect(run.offline).toBe(true);
    expect(run.url).toBeUndefined();
    for (let i = 0; i < 100; i++) run.log({ x: i });
    await run.finish();
    expect(existsSync(join(root, "runlog.db"))).toBe(false);
    const runDir = runFolder(root, run);
    const first = syncRunDir(runDir);
    expect(first.applied).toBeGreaterThan(0);
    expect(syncRunDir(runDir).applied).toBe(0);
    const back = await stored(root, run.path);
    expect(back).toMatchObject({ state: "finished", config: { a: 1 }, lastStep: 99 });
    expect((await readHistory(root, run.path)).length).toBe(100);
    await expect(initIn(root, { mode: "offline", id: run.id })).rejects.toMatchObject({ code: "RESUME_CONFLICT" });
  });

  it("disabled runs accept every call and store nothing", async () => {
    const root = tempRoot();
    const run = await initIn(root, { mode: "disabled", config: { a: 1 } });
    expect(run.disabled).toBe(true);
    run.log({ a: 1 });
    run.defineMetric("a", { summary: "max" });
    run.summary.set("x", 1);
    await run.alert({ title: "t", text: "x" });
    await run.finish();
    expect(existsSync(join(root, "runlog.db"))).toBe(false);
    expect(existsSync(join(root, "runs"))).toBe(false);
  });

  it("online mode needs a server URL, refuses a bad one, and gives up after initTimeout of 503s (in-process and in a child)", async () => {
    await expect(initIn(tempRoot(), { mode: "online" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: /baseUrl/ });
    await expect(initIn(tempRoot(), { mode: "online", baseUrl: "ftp://x" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(initIn(tempRoot(), { mode: "online", baseUrl: "not a url" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    // A server that answers every request with 503: init keeps retrying (with backoff) for initTimeout, then gives up.
    const attempts: number[] = [];
    const server = createServer((_req, res) => {
      attempts.push(Date.now());
      res.writeHead(503, { "content-type": "application/json" }).end('{"error":"overloaded"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const started = Date.now();
      await expect(initIn(tempRoot(), { mode: "online", baseUrl, settings: { initTimeout: 2, quiet: true } })).rejects.toMatchObject({
        code: "SERVER_UNAVAILABLE",
      });
      const elapsed = Date.now() - started;
      // It waits out the whole timeout (no early give-up), retrying; how many attempts fit in 2 s depends on
      // the machine's load, so only "more than one" and "not a busy loop" are asserted.
      expect(elapsed).toBeGreaterThanOrEqual(2_000);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.length).toBeLessThan(20);
      expect((attempts[attempts.length - 1] as number) - (attempts[0] as number)).toBeGreaterThanOrEqual(100);
      // From a child process with nothing else keeping its event loop alive: the promise settles (not a silent exit).
      const script = `import { init } from ${JSON.stringify(new URL("../../dist/index.js", import.meta.url).href)};
try { await init({ mode: "online", baseUrl: process.argv[1], dir: process.argv[2], settings: { initTimeout: 1, quiet: true } }); console.log("resolved"); }
catch (error) { console.log("rejected " + error.code); }`;
      const child = await runCommand(process.execPath, ["--input-type=module", "-e", script, baseUrl, tempRoot()]);
      expect([child.code, child.stdout.trim()], child.stderr).toEqual([0, "rejected SERVER_UNAVAILABLE"]);
    } finally {
      server.close();
    }
  });
});

describe("alerts", () => {
  it("stores alerts, throttles by title, and posts JSON to RUNLOG_ALERT_WEBHOOK", async () => {
    const received: Record<string, unknown>[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push({ ...JSON.parse(body), contentType: req.headers["content-type"] });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.RUNLOG_ALERT_WEBHOOK = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const root = tempRoot();
      const run = await initIn(root);
      await run.alert({ title: "loss exploded", text: "loss is NaN", level: "ERROR" });
      await run.alert({ title: "loss exploded", text: "again, throttled" });
      await run.alert({ title: "other", text: "not throttled", level: "WARN", waitDuration: 0 });
      await run.alert({ title: "other", text: "waitDuration 0: not throttled" });
      await expect(run.alert({ title: "", text: "x" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(run.alert({ title: "t", text: "x", level: "FATAL" as "INFO" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await run.finish();
      expect(received.map((r) => r.text)).toEqual(["loss is NaN", "not throttled", "waitDuration 0: not throttled"]);
      expect(received[0]).toMatchObject({
        title: "loss exploded",
        level: "ERROR",
        runId: run.id,
        runPath: run.path,
        contentType: "application/json",
      });
      const alerts = await (await stored(root, run.path)).alerts();
      expect(alerts.map((a) => [a.title, a.level])).toEqual([
        ["loss exploded", "ERROR"],
        ["other", "WARN"],
        ["other", "INFO"],
      ]);
    } finally {
      delete process.env.RUNLOG_ALERT_WEBHOOK;
      server.close();
    }
  });

  it("a failing webhook becomes a warning, never an exception; the alert is still stored", async () => {
    process.env.RUNLOG_ALERT_WEBHOOK = "http://127.0.0.1:9/unreachable";
    const writes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => writes.push(String(chunk)) > 0) as typeof write;
    try {
      const root = tempRoot();
      const run = await initIn(root);
      await run.alert({ title: "t", text: "x" });
      await run.finish();
      expect(writes.join("")).toMatch(/alert webhook .* failed/);
      expect(await (await stored(root, run.path)).alerts()).toHaveLength(1);
    } finally {
      process.stderr.write = write;
      delete process.env.RUNLOG_ALERT_WEBHOOK;
    }
  });
});

describe("watch", () => {
  it("dispatches to the registered watcher that claims the model; unwatch removes hooks", async () => {
    const root = tempRoot();
    const calls: string[] = [];
    registerWatcher({
      name: "test-watcher",
      claims: (model) => (model as { kind?: string }).kind === "toy",
      watch(_model, run, options) {
        calls.push(`watch ${options.log} ${options.logFreq} ${options.accepts("w1")} ${options.accepts("w2")}`);
        run.log({ "parameters/w1": 1 }, { commit: false });
        return { remove: () => calls.push("remove") };
      },
    });
    const run = await initIn(root);
    const model = { kind: "toy" };
    run.watch(model, { log: "all", logFreq: 10, filter: ["w1"] });
    expect(() => run.watch(model)).toThrowError(expect.objectContaining({ code: "ALREADY_WATCHED" }));
    expect(() => run.watch({ kind: "other" })).toThrowError(/@runlog\/tfjs/);
    expect(() => run.watch(new Map())).toThrowError(expect.objectContaining({ code: "NO_WATCHER" }));
    expect(() => run.watch(model, { log: "weights" as "all" })).toThrowError(/log must be/);
    expect(() => run.watch(model, { logFreq: 0 })).toThrowError(/logFreq/);
    run.log({ loss: 1 });
    run.unwatch(model);
    await run.finish();
    expect(calls).toEqual(["watch all 10 true false", "remove"]);
    expect(userColumns(await readHistory(root, run.path))).toEqual([{ _step: 0, "parameters/w1": 1, loss: 1 }]);
  });
});

describe("console capture", () => {
  it("tees stdout and stderr into the run's output.log and restores them at finish", async () => {
    const root = tempRoot();
    const original = process.stdout.write;
    const run = await initIn(root, { settings: { console: "wrap" } });
    process.stdout.write("hello from stdout\n");
    process.stderr.write("warning on stderr\n");
    await run.finish();
    expect(process.stdout.write).toBe(original);
    const output = readFileSync(join(run.dir, "output.log"), "utf8");
    expect(output).toContain("hello from stdout\n");
    expect(output).toContain("warning on stderr\n");
  });
});

describe("system metrics", () => {
  it("samples /proc metrics under system/* on a runtime axis", async () => {
    const root = tempRoot();
    const run = await initIn(root, { settings: { disableStats: false, statsSamplingInterval: 0.1 } });
    // Wait until the store holds two samples of the live run (not a guessed sleep), then finish.
    const live = new Api({ dir: root });
    try {
      await vi.waitFor(
        async () => {
          const rss = await (await live.run(run.path)).series("system/proc.memory.rssMB", { buckets: 10 });
          expect(rss.count.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
        },
        { timeout: 15_000, interval: 50 },
      );
    } finally {
      live.close();
    }
    await run.finish();
    const back = await stored(root, run.path);
    const keys = await back.systemKeys();
    for (const key of [
      "system/cpu",
      "system/proc.memory.rssMB",
      "system/memory_percent",
      "system/network.recv",
      "system/disk./.usagePercent",
    ]) {
      expect(keys).toContain(key);
    }
    const rss = await back.series("system/proc.memory.rssMB", { buckets: 100 });
    expect(rss.count.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    expect(rss.min[0]).toBeGreaterThan(10);
    expect(rss.x[0]).toBeGreaterThan(0);
  });
});
