import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init } from "@runlog/core";
import { afterEach, describe, expect, it } from "vitest";
import { serve } from "./index.js";
import { sseEvents } from "./test-support/sse-events.js";
import { untilStored } from "./test-support/until-stored.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("live events", () => {
  it("push only new rows while a run logs, then the final state, then end", async () => {
    const root = mkdtempSync(join(tmpdir(), "runlog-live-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
    const run = await init({
      project: "live",
      entity: "team",
      dir: root,
      settings: { quiet: true, console: "off", disableStats: true, flushInterval: 0.05 },
    });
    for (let step = 0; step < 10; step++) run.log({ loss: step });
    await untilStored(root, [run.path]);
    const server = await serve({ dir: root, port: 0, pollMs: 50 });
    cleanups.push(() => server.close());

    const response = await fetch(`${server.url}/api/v1/runs/team/live/${run.id}/events`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const steps: number[] = [];
    const states: string[] = [];
    let loggedMore = false;
    for await (const { event, data } of sseEvents(response.body as ReadableStream<Uint8Array>)) {
      if (event === "rows") steps.push(...(data as { _step: number }[]).map((row) => row._step));
      if (event === "state") states.push((data as { state: string }).state);
      if (!loggedMore && steps.length === 10) {
        loggedMore = true;
        for (let step = 10; step < 25; step++) run.log({ loss: step });
        await run.finish();
      }
    }
    // Every step exactly once, in order: nothing refetched, nothing lost.
    expect(steps).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(states).toEqual(["running", "finished"]);
  });

  it("an unknown run is a 404 before any stream starts; a bad afterStep is a 400", async () => {
    const root = mkdtempSync(join(tmpdir(), "runlog-live-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const run = await init({ project: "live", entity: "team", dir: root, settings: { quiet: true, console: "off", disableStats: true } });
    await run.finish();
    const server = await serve({ dir: root, port: 0 });
    cleanups.push(() => server.close());
    expect((await fetch(`${server.url}/api/v1/runs/team/live/nosuchrun/events`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/runs/team/live/${run.id}/events?afterStep=x`)).status).toBe(400);
    const done = await fetch(`${server.url}/api/v1/runs/team/live/${run.id}/events`);
    expect(await done.text()).toMatch(/event: state\ndata: \{"state":"finished"/);
  });
});
