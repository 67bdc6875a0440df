import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { init, type Run, type RunView, runFolder, type StoreReader } from "@runlog/core";
import { IngestClient, uploadRunDir } from "@runlog/core/store-kit";
import { exited, loggedSteps, spawnChild, watchLines } from "@runlog/test-support/child-process";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startPostgres, type TestPostgres } from "./dev/local-postgres.js";
import { type RunlogServer, serve } from "./index.js";
import { roundRobinProxy } from "./test-support/round-robin-proxy.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
const SERVE_CHILD = fileURLToPath(new URL("./test-support/serve-child.mjs", import.meta.url));
/** The issue asks for a 60 s outage; RUNLOG_OUTAGE_SECONDS shortens it for a quick local run. */
const OUTAGE_SECONDS = Number(process.env.RUNLOG_OUTAGE_SECONDS ?? 60);

let postgres: TestPostgres;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await postgres?.stop();
});

async function started(store: string): Promise<RunlogServer> {
  const server = await serve({ store, port: 0, dir: tempRoot() });
  closers.push(() => server.close());
  return server;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function series(reader: StoreReader, view: RunView, key: string): Promise<{ steps: number[]; values: number[] }> {
  const infos = await reader.chunkInfos(view, "history", key, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  const points = await reader.chunkPoints(
    view,
    "history",
    key,
    infos,
    Array.from({ length: infos.length }, (_, i) => i),
  );
  return { steps: points.flatMap((p) => Array.from(p.steps)), values: points.flatMap((p) => Array.from(p.values)) };
}

/** Logs `steps` points of `loss = step * 2 + seed`, yielding every 100 so batches seal as in training. */
async function logSteps(run: Run, from: number, to: number, seed: number, stepDelayMs = 0): Promise<void> {
  for (let step = from; step < to; step++) {
    run.log({ loss: step * 2 + seed });
    if (step % 100 === 99) await pause(stepDelayMs || 1);
  }
}

function serverChild(store: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [SERVE_CHILD, store, String(port), tempRoot()], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`server child exited with ${code}`)));
  });
}

describe("online runs against runlog servers on PostgreSQL", () => {
  it("two server instances on one database: clients on either, or alternating per request, lose and duplicate nothing", async () => {
    const store = await postgres.createDatabase("two_instances");
    const [a, b] = [await started(store), await started(store)];
    const balancer = await roundRobinProxy([a.url, b.url]);
    closers.push(balancer.close);
    const targets = [a.url, b.url, balancer.url, balancer.url];
    const runs = await Promise.all(
      targets.map((baseUrl, i) =>
        init({ dir: tempRoot(), mode: "online", baseUrl, project: "team", entity: "lab", id: `client-${i}`, settings: QUIET }),
      ),
    );
    const STEPS = 6_000;
    await Promise.all(runs.map((run, i) => logSteps(run, 0, STEPS, i, 40)));
    await Promise.all(runs.map((run) => run.finish()));
    expect(await (await fetch(`${balancer.url}/healthz`)).json()).toEqual({ ok: true, store: "postgres" });
    // Several batches of the balanced runs reached each instance.
    expect(Math.min(...balancer.counts)).toBeGreaterThan(3);
    for (const reader of [a.store.reader, b.store.reader]) {
      const views = await reader.listRuns("lab", "team");
      expect(views.map((v) => v.id).sort()).toEqual(["client-0", "client-1", "client-2", "client-3"]);
      for (const view of views) {
        const seed = Number(view.id.slice(-1));
        const { steps, values } = await series(reader, view, "loss");
        expect(steps).toEqual(Array.from({ length: STEPS }, (_, i) => i));
        expect(values).toEqual(steps.map((step) => step * 2 + seed));
        expect(view.state).toBe("finished");
      }
    }
  });

  it(
    `keeps logging while the server is killed for ${OUTAGE_SECONDS} s: 0 lost, 0 duplicated after it returns`,
    async () => {
      const store = await postgres.createDatabase("outage");
      const port = await freePort();
      let server = await serverChild(store, port);
      const run = await init({
        dir: tempRoot(),
        mode: "online",
        baseUrl: `http://127.0.0.1:${port}`,
        project: "outage",
        entity: "lab",
        settings: QUIET,
      });
      await logSteps(run, 0, 2_000, 0, 10);
      server.kill("SIGKILL");
      const down = Date.now();
      let step = 2_000;
      while (Date.now() - down < OUTAGE_SECONDS * 1000) {
        await logSteps(run, step, step + 100, 0, 50);
        step += 100;
      }
      server = await serverChild(store, port);
      closers.push(async () => {
        server.kill("SIGKILL");
      });
      await logSteps(run, step, step + 2_000, 0, 10);
      step += 2_000;
      await run.finish();
      const reader = (await started(store)).store.reader;
      const view = await reader.getRun("lab", "outage", run.id);
      if (view === undefined) throw new Error("run missing");
      const { steps, values } = await series(reader, view, "loss");
      expect(steps.length).toBe(step);
      expect(steps).toEqual(Array.from({ length: step }, (_, i) => i));
      expect(values).toEqual(steps.map((s) => s * 2));
      expect(view.state).toBe("finished");
    },
    (OUTAGE_SECONDS + 120) * 1000,
  );

  it("a training process killed -9 mid-run: the server holds a gap-free prefix, reads crashed, and sync + resume complete it", async () => {
    const store = await postgres.createDatabase("killed_client");
    const server = await started(store);
    const root = tempRoot();
    const child = spawnChild("until-killed", root, "killed1", undefined, { RUNLOG_MODE: "online", RUNLOG_BASE_URL: server.url });
    const logged = loggedSteps(child);
    const exit = exited(child);
    await watchLines(child, (line) => line.startsWith("started"));
    await pause(1_500);
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await exit;
    // A killed process keeps what reached its log: everything logged a seal (250 ms) plus an fsync
    // interval (200 ms in the child) before the kill.
    const safeStep = Math.max(-1, ...logged.filter(([, at]) => at < killedAt - 600).map(([step]) => step));
    expect(safeStep).toBeGreaterThan(0);
    const reader = server.store.reader;
    const prefix = await reader.getRun("tester", "test", "killed1");
    if (prefix === undefined) throw new Error("run missing");
    const before = (await series(reader, prefix, "i")).steps;
    expect(before).toEqual(Array.from({ length: before.length }, (_, i) => i));
    await pause(1_500); // the child's crashTimeout is 1 s
    expect((await reader.getRun("tester", "test", "killed1"))?.state).toBe("crashed");

    const client = new IngestClient(server.url, undefined);
    await uploadRunDir(
      runFolder(root, { entity: "tester", project: "test", id: "killed1" }),
      { entity: "tester", project: "test", id: "killed1" },
      client,
    );
    const synced = (await series(reader, prefix, "i")).steps;
    expect(synced.length).toBeGreaterThanOrEqual(Math.max(before.length, safeStep + 1));
    expect(synced).toEqual(Array.from({ length: synced.length }, (_, i) => i));

    const resumed = await init({
      dir: root,
      mode: "online",
      baseUrl: server.url,
      project: "test",
      entity: "tester",
      id: "killed1",
      resume: "must",
      settings: QUIET,
    });
    expect(resumed.step).toBe(synced.length);
    resumed.log({ i: resumed.step });
    await resumed.finish();
    const view = await reader.getRun("tester", "test", "killed1");
    if (view === undefined) throw new Error("run missing");
    expect((await series(reader, view, "i")).steps).toEqual(Array.from({ length: synced.length + 1 }, (_, i) => i));
    expect(view.state).toBe("finished");
  });

  it("finish() gives up after finishTimeout when the server stays down, and `runlog sync` uploads the rest once", async () => {
    const store = await postgres.createDatabase("sync_later");
    const port = await freePort();
    const server = await serverChild(store, port);
    const dir = tempRoot();
    const run = await init({
      dir,
      mode: "online",
      baseUrl: `http://127.0.0.1:${port}`,
      project: "later",
      entity: "lab",
      settings: { ...QUIET, finishTimeout: 2 },
    });
    await logSteps(run, 0, 500, 0);
    server.kill("SIGKILL");
    await logSteps(run, 500, 3_000, 0);
    const started = Date.now();
    await run.finish();
    expect(Date.now() - started).toBeLessThan(10_000);

    const target = await serve({ store, port, dir: tempRoot() });
    closers.push(() => target.close());
    const client = new IngestClient(target.url, undefined);
    const address = { entity: "lab", project: "later", id: run.id };
    const first = await uploadRunDir(runFolder(dir, address), address, client);
    const again = await uploadRunDir(runFolder(dir, address), address, client);
    expect(again.appliedSeq).toBe(first.appliedSeq);
    const view = await target.store.reader.getRun("lab", "later", run.id);
    if (view === undefined) throw new Error("run missing");
    expect((await series(target.store.reader, view, "loss")).steps).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    expect(view.state).toBe("finished");
  });
});
