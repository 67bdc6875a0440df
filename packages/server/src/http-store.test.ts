import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Api, init, RunlogError } from "@runlog/core";
import { HttpReader } from "@runlog/core/store-kit";
// The same contract suite the embedded store passes, run against the HTTP store.
import { describeStoreReaderContract } from "@runlog/core/testing";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterEach, describe, expect, it } from "vitest";
import { type RunlogServer, serve } from "./index.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
const servers: RunlogServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function served(root: string): Promise<RunlogServer> {
  // Small pages (64 KiB), so the contract's wide runs page and HttpReader must follow the pages.
  const server = await serve({ dir: root, port: 0, maxPageBytes: 64 * 1024 });
  servers.push(server);
  return server;
}

describeStoreReaderContract("HTTP (runlog server)", async () => {
  const root = tempRoot();
  const server = await served(root);
  return {
    init: (options) => init({ dir: root, reinit: "create_new", ...options, settings: QUIET }),
    reader: () => new HttpReader(server.url, undefined),
  };
});

describe("new Api({ baseUrl })", () => {
  it("answers exactly what the embedded Api answers: runs, summary, history, series", async () => {
    const root = tempRoot();
    const run = await init({ dir: root, project: "p", entity: "e", config: { lr: 0.1 }, settings: QUIET });
    for (let step = 0; step < 3000; step++)
      run.log({ loss: step === 1234 ? Number.POSITIVE_INFINITY : Math.cos(step), note: step % 500 === 0 ? `s${step}` : undefined });
    run.summary.set("best", Number.NaN);
    writeFileSync(join(run.dir, "notes.txt"), "written into run.dir");
    await run.finish();
    const server = await served(root);
    const local = new Api({ dir: root });
    const remote = new Api({ baseUrl: server.url });
    try {
      const [a, b] = await Promise.all([local.run(run.path), remote.run(run.path)]);
      expect(b.toJSON()).toEqual(a.toJSON());
      expect(Number.isNaN(b.summary.best as number)).toBe(true);
      expect(await b.history({ samples: 50 })).toEqual(await a.history({ samples: 50 }));
      expect(await b.series("loss", { buckets: 64 })).toEqual(await a.series("loss", { buckets: 64 }));
      expect(await b.series("loss", { buckets: 10, range: [1000, 1500] })).toEqual(
        await a.series("loss", { buckets: 10, range: [1000, 1500] }),
      );
      // Every file of the run, as on the embedded store (not only what the run recorded).
      expect((await b.files()).map((file) => file.path)).toContain("notes.txt");
      expect(await b.files()).toEqual(await a.files());
      expect((await remote.runs("e/p")).map((r) => r.id)).toEqual([run.id]);
      await expect(remote.run("e/p/nosuchrun")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
      expect(() => b.filePath("media/x.png")).toThrowError(expect.objectContaining({ code: "MODE_UNAVAILABLE" }));
      // Artifacts are read from the server too (api-artifacts.test.ts); this one was never logged.
      await expect(remote.artifact("e/p/model:latest")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    } finally {
      local.close();
      remote.close();
    }
  });

  it("bad URLs, unreachable servers and foreign chunk ids fail with clear errors", async () => {
    expect(() => new Api({ baseUrl: "not a url" })).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => new Api({ baseUrl: "file:///etc" })).toThrowError(/http or https/);
    await expect(new Api({ baseUrl: "http://127.0.0.1:1" }).projects()).rejects.toSatisfy(
      (error: unknown) => RunlogError.isInstance(error) && error.code === "STORE_ERROR" && /Cannot reach/.test(error.message),
    );
    const root = tempRoot();
    const mine = await init({ dir: root, project: "p", entity: "e", settings: QUIET });
    mine.log({ y: 1 });
    await mine.finish();
    const other = await init({ dir: root, project: "p", entity: "e", reinit: "create_new", settings: QUIET });
    other.log({ y: 2 });
    await other.finish();
    const server = await served(root);
    const reader = new HttpReader(server.url, undefined);
    const view = await reader.getRun("e", "p", mine.id);
    const otherView = await reader.getRun("e", "p", other.id);
    if (view === undefined || otherView === undefined) throw new Error("runs not found");
    const foreign = await reader.chunkInfos(otherView, "history", "y", 0, 10);
    // Asking for the other run's blob through this run's path is refused, not answered.
    await expect(reader.chunkPoints(view, "history", "y", foreign, [0])).rejects.toThrowError(/400.*not part of y/);
    const response = await fetch(`${server.url}/api/v1/store/runs/e/p/${mine.id}/points`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: "y", blobIds: ["1; DROP TABLE"] }),
    });
    expect(response.status).toBe(400);
  });
});
