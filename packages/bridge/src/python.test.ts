import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startBridge } from "./index.js";

// Debian's /usr/bin/python3 with python3-torch, python3-zmq and python3-msgpack, against real bridges.
const PYTHON = process.env.RUNLOG_PYTHON ?? "/usr/bin/python3";
const TESTS = fileURLToPath(new URL("../python/tests/", import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An ipc endpoint in the test's temp folder: nothing to collide with, and it survives a bridge restart. */
const ipcIn = (dir: string) => `ipc://${join(dir, "bridge.sock")}`;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "runlog-py-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}

function python(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
  onLine?: (line: string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { env: { ...process.env, ...env }, cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (onLine) for (const line of String(chunk).split("\n")) onLine(line);
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function readRun(dir: string, path: string) {
  const api = new Api({ dir });
  try {
    const run = await api.run(path);
    const rows = [];
    for await (const row of run.scanHistory()) rows.push(row);
    return { run, rows, files: await run.files(), alerts: await run.alerts() };
  } finally {
    api.close();
  }
}

function bridgeProcess(endpoint: string, dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL("./test-support/bridge-process.mjs", import.meta.url)), endpoint, dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`bridge exited ${code}`)));
  });
}

describe("the Python client through a real bridge", () => {
  it("pytest: data types, wire encoding, the step/summary mirror, the launcher overlapping imports with the start, the client facts init sends, disabled mode, the no-bridge message, and the init banner", () => {
    const files = ["test_data_types.py", "test_history.py", "test_launcher.py", "test_banner.py"].map((file) => join(TESTS, file));
    const result = spawnSync(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider", ...files], { encoding: "utf8" });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/27 passed/);
  });

  it("a torch training loop logs through the bridge and the store holds exactly its history", async () => {
    const dir = tempDir();
    // TCP as users run it, on a port the system picks (port 0); the other tests use ipc.
    const bridge = await startBridge({ endpoint: "tcp://127.0.0.1:0", dir, log: () => {} });
    cleanups.push(() => bridge.close());
    const endpoint = bridge.endpoint;
    const out = join(dir, "out.json");
    const result = await python([join(TESTS, "train_loop.py"), "3000", "0", out], { RUNLOG_BRIDGE: endpoint });
    expect(result.code, result.stderr).toBe(0);
    const { path, losses } = JSON.parse(readFileSync(out, "utf8")) as { path: string; losses: number[] };
    const { run, rows } = await readRun(dir, path);
    expect(rows.map((r) => r._step)).toEqual(losses.map((_, i) => i));
    expect(rows.map((r) => r["train/loss"])).toEqual(losses);
    expect(rows.filter((r) => "val/loss" in r).map((r) => r._step)).toEqual(Array.from({ length: 30 }, (_, i) => i * 100));
    expect(run.config).toEqual({ lr: 0.05, hidden: 16 });
    expect(run.summary).toMatchObject({ final_loss: losses.at(-1), "val/loss": { min: expect.any(Number) } });
    expect(run.state).toBe("finished");
  });

  it("speaks W&B's API: config from a Namespace, media and tables, commit=False, alerts, save, and a failing `with` block", async () => {
    const dir = tempDir();
    const endpoint = ipcIn(dir);
    const bridge = await startBridge({ endpoint, dir, log: () => {} });
    cleanups.push(() => bridge.close());
    const ok = await python([join(TESTS, "api_script.py"), "ok"], { RUNLOG_BRIDGE: endpoint }, dir);
    expect(ok.code, ok.stderr).toBe(0);
    const { run, rows, files, alerts } = await readRun(dir, ok.stdout.trim());
    expect(run).toMatchObject({ name: "api-run", tags: ["a", "b"], group: "g", jobType: "train", notes: "hello", state: "finished" });
    expect(run.metadata.client).toMatchObject({
      lang: "python",
      program: join(TESTS, "api_script.py"),
      args: ["ok"],
      pid: expect.any(Number),
    });
    expect(run.config).toEqual({ batch: 32, opt: "adam", lr: 0.01, epochs: 3, dropout: 0.5 });
    // W&B's step/commit rules: a row at an explicit step stays open until a later step or a commit.
    expect(
      rows.map((r) => [
        r._step,
        Object.keys(r)
          .filter((k) => !k.startsWith("_"))
          .sort(),
      ]),
    ).toEqual([
      [0, ["hist", "img", "loss"]],
      [5, ["loss", "partial", "table"]],
      [6, ["loss"]],
    ]);
    expect(rows[2]?.loss).toBe(0.75);
    expect((rows[0]?.hist as { _type: string } | undefined)?._type).toBe("histogram");
    expect((rows[0]?.img as { _type: string } | undefined)?._type).toBe("image-file");
    expect(rows[0]?.loss).toBe(0.5);
    expect(run.summary).toMatchObject({ best: 0.9, note: "done", loss: 0.75 });
    expect(alerts.map((a) => [a.title, a.level])).toEqual([["slow", "WARN"]]);
    expect(files.map((f) => f.path)).toContain("saved.txt");
    const failed = await python([join(TESTS, "api_script.py"), "fail"], { RUNLOG_BRIDGE: endpoint }, dir);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/ValueError: boom/);
    expect((await readRun(dir, failed.stdout.trim())).run.state).toBe("failed");
  });

  it.each([
    ["in memory", "67108864"],
    ["spilled to a file", "20000"],
  ])(
    "loses nothing and duplicates nothing when the bridge is killed -9 mid-run and restarted (unacked batches %s)",
    async (_how, memoryLimit) => {
      const dir = tempDir();
      const endpoint = ipcIn(dir);
      let bridge = await bridgeProcess(endpoint, dir);
      const out = join(dir, "out.json");
      // The loop prints "step N" every 100 steps: the test acts at known points of the run, not after sleeps.
      let progress = -1;
      const waiters: { step: number; resolve: () => void }[] = [];
      const reached = (step: number) => new Promise<void>((resolve) => (progress >= step ? resolve() : waiters.push({ step, resolve })));
      const training = python(
        [join(TESTS, "train_loop.py"), "4000", "20", out],
        { RUNLOG_BRIDGE: endpoint, RUNLOG_MEMORY_LIMIT: memoryLimit },
        undefined,
        (line) => {
          const match = /^step (\d+)$/.exec(line.trim());
          if (match === null) return;
          progress = Math.max(progress, Number(match[1]));
          for (const waiter of waiters.splice(0)) (progress >= waiter.step ? waiter.resolve : () => waiters.push(waiter))();
        },
      );
      await reached(1000); // the run exists and 1000 steps went out: a slow machine must not lose the bridge during init
      bridge.kill("SIGKILL");
      await new Promise((resolve) => bridge.once("exit", resolve));
      await reached(2000); // 1000 steps logged while no bridge listens: they wait unacked (in memory or spilled)
      bridge = await bridgeProcess(endpoint, dir);
      const result = await training;
      expect(result.code, result.stderr).toBe(0);
      const { path, losses, spilled } = JSON.parse(readFileSync(out, "utf8")) as { path: string; losses: number[]; spilled: number };
      expect(spilled > 0).toBe(memoryLimit === "20000");
      const { run, rows } = await readRun(dir, path);
      expect(rows.length).toBe(4000);
      expect(rows.map((r) => r._step)).toEqual(losses.map((_, i) => i)); // every step once, in order
      expect(rows.map((r) => r["train/loss"])).toEqual(losses);
      expect(run.state).toBe("finished");
      expect(run.toJSON().attempts).toBeGreaterThanOrEqual(2); // the restarted bridge resumed the same run
    },
    90_000,
  );

  it("watch() logs gradient and parameter histograms equal to torch.histc, and unwatch() removes every hook", async () => {
    const dir = tempDir();
    const endpoint = ipcIn(dir);
    const bridge = await startBridge({ endpoint, dir, log: () => {} });
    cleanups.push(() => bridge.close());
    const out = join(dir, "watch.json");
    const result = await python([join(TESTS, "watch_script.py"), out], { RUNLOG_BRIDGE: endpoint });
    expect(result.code, result.stderr).toBe(0);
    const { path, expected, hooks } = JSON.parse(readFileSync(out, "utf8")) as {
      path: string;
      expected: Record<string, number[]>;
      hooks: number[];
    };
    expect(hooks[0]).toBe(5); // 4 gradient hooks + 1 forward hook
    expect(hooks[1]).toBe(0);
    const { rows } = await readRun(dir, path);
    let compared = 0;
    for (const [key, counts] of Object.entries(expected)) {
      const [step, name] = key.split(":") as [string, string];
      const logged = rows.find((row) => row._step === Number(step))?.[name] as { _type: string; values: number[] } | undefined;
      expect(logged?._type, key).toBe("histogram");
      expect(logged?.values, key).toEqual(counts);
      compared++;
    }
    expect(compared).toBe(16); // 2 logging steps × 4 tensors × (gradients, parameters)
    expect(rows.filter((row) => "gradients/0.weight" in row).map((row) => row._step)).toEqual([1, 3]);
  });

  it("streams artifacts and models to the bridge in chunks, uses them from another run, and links a model", async () => {
    const dir = tempDir();
    const endpoint = ipcIn(dir);
    const bridge = await startBridge({ endpoint, dir, log: () => {} });
    cleanups.push(() => bridge.close());
    const result = await python(
      [join(TESTS, "artifact_script.py"), dir],
      { RUNLOG_BRIDGE: endpoint, RUNLOG_ARTIFACT_DIR: join(dir, "cache") },
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split("\n").at(-1) as string);
    expect(out).toMatchObject({
      logged: ["tester/arts/digits:v0", "v0", ["best", "latest"]],
      files: ["a.txt", "notes/readme.md", "sub/big.bin"],
      big_ok: true,
      model_bytes: true,
      model: { qualified_name: "tester/arts/net:v0", type: "model" },
      linked: { qualified_name: "tester/model-registry/registry-net:v0", aliases: ["latest", "production"] },
    });
    const api = new Api({ dir });
    try {
      const consumer = await api.run(out.consumer);
      expect((await consumer.usedArtifacts()).map((a) => a.qualifiedName).sort()).toEqual(["tester/arts/digits:v0", "tester/arts/net:v0"]);
      const digits = await api.artifact("tester/arts/digits:v0");
      expect(digits.metadata).toEqual({ rows: 2 });
      expect(digits.size).toBe(5 + 7 + 2_560_000);
    } finally {
      api.close();
    }
  });

  it("RunlogLogger takes Lightning's calls in a Trainer's order: repeated steps, hyperparameters, checkpoints as models", async () => {
    const dir = tempDir();
    const endpoint = ipcIn(dir);
    const bridge = await startBridge({ endpoint, dir, log: () => {} });
    cleanups.push(() => bridge.close());
    for (const mode of ["true", "all"]) {
      const result = await python([join(TESTS, "lightning_script.py"), join(dir, mode), mode], { RUNLOG_BRIDGE: endpoint });
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout.trim()) as { path: string; version: string };
      expect(out.path.endsWith(out.version)).toBe(true);
      const api = new Api({ dir });
      try {
        const run = await api.run(out.path);
        const rows = [];
        for await (const row of run.scanHistory()) rows.push(row);
        expect(
          rows.map((r) => [
            r["trainer/global_step"],
            Object.keys(r)
              .filter((k) => !k.startsWith("_") && k !== "trainer/global_step" && k !== "epoch")
              .sort()
              .join(),
          ]),
        ).toEqual([
          [1, "train_loss"],
          [3, "train_loss"],
          [3, "val_loss"],
          [3, "train_loss_epoch"],
          [5, "train_loss"],
          [7, "train_loss"],
          [7, "val_loss"],
          [7, "train_loss_epoch"],
        ]);
        expect(run.config).toEqual({ lr: 0.1, activation: "relu" });
        expect(run.state).toBe("finished");
        const models = await run.loggedArtifacts();
        // True: the best and last checkpoints once training succeeded; "all": each checkpoint as it was saved.
        // True: the best checkpoint once training succeeded; "all": each checkpoint as it was saved (aliases move to the newest).
        expect(
          models.map((m) => [m.version, [...m.aliases].sort(), (m.metadata as { original_filename: string }).original_filename]),
        ).toEqual(
          mode === "true"
            ? [["v0", ["best", "latest"], "epoch=1.ckpt"]]
            : [
                ["v0", [], "epoch=0.ckpt"],
                ["v1", ["best", "latest"], "epoch=1.ckpt"],
              ],
        );
        expect((models.at(-1)?.metadata as { ModelCheckpoint?: { monitor: string } } | undefined)?.ModelCheckpoint?.monitor).toBe(
          "val_loss",
        );
        expect(models.every((m) => m.type === "model" && Object.keys(m.manifest.contents).join() === "model.ckpt")).toBe(true);
      } finally {
        api.close();
      }
    }
  });

  it("examples/pytorch-bridge runs as written: init() starts a bridge from the runlog CLI, which stops once the scripts are gone", async () => {
    const dir = tempDir();
    const example = fileURLToPath(new URL("../../../examples/pytorch-bridge/", import.meta.url));
    const cli = fileURLToPath(new URL("../../cli/bin/runlog.js", import.meta.url));
    const env = {
      RUNLOG_CLI: cli,
      RUNLOG_DIR: join(dir, "runlog"),
      RUNLOG_BRIDGE: "",
      RUNLOG_RUNTIME_DIR: join(dir, "runtime"),
      RUNLOG_BRIDGE_IDLE: "0.2",
    };
    const plain = await python([join(example, "train.py")], env, dir);
    expect(plain.code, plain.stderr).toBe(0);
    const lightning = await python([join(example, "lightning_style.py")], env, dir);
    expect(lightning.code, lightning.stderr).toBe(0);
    const trained = await readRun(join(dir, "runlog"), (plain.stdout.match(/^(\S+): val\/acc/m) as RegExpMatchArray)[1] as string);
    expect(trained.rows.filter((r) => "train/loss" in r)).toHaveLength(160);
    expect(trained.rows.some((r) => Object.keys(r).some((k) => k.startsWith("gradients/")))).toBe(true);
    expect(Number(trained.run.summary["val/acc"] && (trained.run.summary["val/acc"] as { max: number }).max)).toBeGreaterThan(0.8);
    expect(trained.run.state).toBe("finished");
  });

  it("hosts several Python processes logging at once, each run with exactly its own history", async () => {
    const dir = tempDir();
    const endpoint = ipcIn(dir);
    const bridge = await startBridge({ endpoint, dir, log: () => {} });
    cleanups.push(() => bridge.close());
    const outs = [0, 1, 2].map((i) => join(dir, `out-${i}.json`));
    const results = await Promise.all(
      outs.map((out) => python([join(TESTS, "train_loop.py"), "1500", "50", out], { RUNLOG_BRIDGE: endpoint })),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const paths = new Set<string>();
    for (const out of outs) {
      const { path, losses } = JSON.parse(readFileSync(out, "utf8")) as { path: string; losses: number[] };
      paths.add(path);
      const { rows } = await readRun(dir, path);
      expect(rows.map((r) => r["train/loss"])).toEqual(losses);
    }
    expect(paths.size).toBe(3);
  });

  it("marks the run crashed when the Python process is killed", async () => {
    const dir = tempDir();
    const endpoint = ipcIn(dir);
    const bridge = await startBridge({ endpoint, dir, log: () => {} });
    cleanups.push(() => bridge.close());
    const script = `
import os, signal, sys
sys.path.insert(0, ${JSON.stringify(join(TESTS, ".."))})
import runlog
run = runlog.init(project="doomed", entity="tester", settings={"crash_timeout": 1})
for i in range(10):
    runlog.log({"i": i})
assert run._connection.drain(run.id, 30) == 0  # every row acked (in the store) before the kill, no sleep
print(run.path, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
`;
    const result = await python(["-c", script], { RUNLOG_BRIDGE: endpoint });
    expect(result.code).toBe(null); // killed by the signal
    // Poll until the bridge's watchdog marks it (crash_timeout 1 s), rather than sleeping a guess.
    await vi.waitFor(async () => expect((await readRun(dir, result.stdout.trim())).run.state).toBe("crashed"), {
      timeout: 15_000,
      interval: 100,
    });
    const { rows } = await readRun(dir, result.stdout.trim());
    expect(rows.map((r) => r.i)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });
});
