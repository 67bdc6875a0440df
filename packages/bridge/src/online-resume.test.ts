import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { type RunlogServer, serve } from "@runlog/server";
import { afterAll, describe, expect, it } from "vitest";
import { TestClient } from "./test-support/client.js";

// An online run through a bridge process that is killed -9 and started again on "another machine":
// a new root folder, so the resume point can only come from the team server.
const work = mkdtempSync(join(tmpdir(), "runlog-bridge-online-"));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

function bridgeProcess(endpoint: string, dir: string, baseUrl: string): Promise<ChildProcess> {
  const script = fileURLToPath(new URL("./test-support/bridge-process.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, endpoint, dir], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RUNLOG_MODE: "online", RUNLOG_BASE_URL: baseUrl },
  });
  cleanups.push(() => child.kill("SIGKILL"));
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`bridge exited ${code}`)));
  });
}

/** Polls the server until the run's stored state satisfies `done` (no fixed sleeps). */
async function serverRun(baseUrl: string, path: string, done: (run: Awaited<ReturnType<Api["run"]>>) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const api = new Api({ baseUrl });
    try {
      // Not there yet is the only answer to wait through; any other error fails the test.
      const run = await api.run(path).catch((error: unknown) => {
        if ((error as { code?: string }).code === "RUN_NOT_FOUND") return undefined;
        throw error;
      });
      if (run !== undefined && done(run)) return run;
    } finally {
      api.close();
    }
    if (Date.now() > deadline) throw new Error(`the server never showed the expected state of ${path}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const batch = (run: string, seq: number) => ({ t: "records", run, seq, items: [0, 1].map((i) => ["log", { x: (seq - 1) * 2 + i }]) });

describe("bridge online resume", () => {
  it("a bridge restarted with a new root folder resumes an online run from the server: steps, summary, config and seq continue", async () => {
    const server: RunlogServer = await serve({ port: 0, dir: mkdtempSync(join(work, "server-")) });
    cleanups.push(() => server.close());
    const endpoint = `ipc://${join(work, "bridge.sock")}`;
    const first = await bridgeProcess(endpoint, mkdtempSync(join(work, "machine-a-")), server.url);
    const a = new TestClient(endpoint);
    cleanups.push(() => a.close());
    const opened = await a.request({ t: "init", options: { project: "p", entity: "e", config: { lr: 0.1 } } });
    expect(opened).toMatchObject({ ok: true });
    const { id, path } = opened.result as { id: string; path: string };
    // What the Python client's banner names: the team server and the run's page there, not the bridge's root.
    const serverUrl = server.url.replace(/\/$/, "");
    expect(opened.result).toMatchObject({ mode: "online", server: serverUrl, url: `${serverUrl}/e/p/runs/${id}` });
    for (let seq = 1; seq <= 3; seq++) await a.send(batch(id, seq));
    // Delivered to the server (rows and the seq that covers them) before machine A dies.
    await serverRun(server.url, path, (run) => run.lastStep === 5 && (run.metadata.bridge as { seq?: number } | undefined)?.seq === 3);
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    a.close();

    await bridgeProcess(endpoint, mkdtempSync(join(work, "machine-b-")), server.url);
    const b = new TestClient(endpoint);
    cleanups.push(() => b.close());
    const resumed = await b.request({ t: "init", options: { project: "p", entity: "e", id, resume: "must" } }, 30_000);
    expect(resumed, JSON.stringify(resumed)).toMatchObject({
      ok: true,
      result: { id, resumed: true, last_seq: 3, step: 6, config: { lr: 0.1 }, summary: { x: 5 }, mode: "online", server: serverUrl },
    });
    for (let seq = 4; seq <= 5; seq++) await b.send(batch(id, seq));
    expect(await b.request({ t: "finish", run: id, exit_code: 0 }, 30_000)).toMatchObject({ ok: true, result: { last_seq: 5 } });

    const stored = await serverRun(server.url, path, (run) => run.state === "finished");
    const api = new Api({ baseUrl: server.url });
    const rows: Record<string, unknown>[] = [];
    for await (const row of (await api.run(path)).scanHistory()) rows.push(row);
    api.close();
    expect(rows.map((r) => [r._step, r.x])).toEqual(Array.from({ length: 10 }, (_, i) => [i, i]));
    expect(stored.config).toEqual({ lr: 0.1 });
  }, 120_000);
});
