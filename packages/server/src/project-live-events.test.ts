import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init, type Run } from "@runlog/core";
import { afterEach, describe, expect, it } from "vitest";
import { serve } from "./index.js";
import { MAX_FOLLOWED_RUNS } from "./project-live-events.js";
import { sseEvents } from "./test-support/sse-events.js";
import { untilStored } from "./test-support/until-stored.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function liveStore(): Promise<{ root: string; open(name: string): Promise<Run> }> {
  const root = mkdtempSync(join(tmpdir(), "runlog-project-live-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  const settings = { quiet: true, console: "off", disableStats: true, flushInterval: 0.05 } as const;
  return { root, open: (name) => init({ project: "live", entity: "team", dir: root, name, reinit: "create_new", settings }) };
}

describe("project live events (one stream for many runs)", () => {
  it("push each run's new rows once, after its own cursor, and its states, then end when none is running", async () => {
    const store = await liveStore();
    const a = await store.open("a");
    const b = await store.open("b");
    for (let step = 0; step < 10; step++) {
      a.log({ loss: step });
      b.log({ loss: -step });
    }
    await untilStored(store.root, [a.path, b.path]);
    const server = await serve({ dir: store.root, port: 0, pollMs: 50 });
    cleanups.push(() => server.close());
    // b's client already holds steps 0..4: only 5.. come for it.
    const response = await fetch(`${server.url}/api/v1/projects/team/live/events?runs=${a.id},${b.id}&afterSteps=-1,4`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const steps = new Map<string, number[]>([
      [a.id, []],
      [b.id, []],
    ]);
    const states: string[] = [];
    let phase = 0;
    for await (const { event, data } of sseEvents(response.body as ReadableStream<Uint8Array>)) {
      if (event === "rows") {
        const { run, rows } = data as { run: string; rows: { _step: number; loss: number }[] };
        steps.get(run)?.push(...rows.map((row) => row._step));
        if (run === b.id) expect(rows.every((row) => row.loss === -row._step)).toBe(true);
      }
      if (event === "state") states.push(`${(data as { run: string }).run}:${(data as { state: string }).state}`);
      if (phase === 0 && steps.get(a.id)?.length === 10 && steps.get(b.id)?.length === 5) {
        phase = 1;
        for (let step = 10; step < 20; step++) a.log({ loss: step });
        await a.finish(); // a leaves the stream; b keeps it open
        b.log({ loss: -10 });
      }
      if (phase === 1 && states.includes(`${a.id}:finished`) && steps.get(b.id)?.includes(10)) {
        phase = 2;
        await b.finish();
      }
    }
    expect(steps.get(a.id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(steps.get(b.id)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(states.filter((s) => s.startsWith(a.id))).toEqual([`${a.id}:running`, `${a.id}:finished`]);
    expect(states.filter((s) => s.startsWith(b.id))).toEqual([`${b.id}:running`, `${b.id}:finished`]);
  });

  it("refuses hostile run lists and cursors with INVALID_ARGUMENT before streaming, and an unknown run with a 404", async () => {
    const store = await liveStore();
    const run = await store.open("done");
    run.log({ loss: 1 });
    await run.finish();
    const server = await serve({ dir: store.root, port: 0 });
    cleanups.push(() => server.close());
    const ask = async (query: string) => {
      const response = await fetch(`${server.url}/api/v1/projects/team/live/events?${query}`);
      const text = await response.text();
      return [response.status, response.status === 200 ? text.slice(0, 12) : JSON.parse(text).code];
    };
    const many = Array.from({ length: MAX_FOLLOWED_RUNS + 1 }, (_, i) => `r${i}`).join(",");
    const hostile = [
      "",
      "runs=",
      `runs=${many}`,
      `runs=${run.id},${run.id}`,
      `runs=${encodeURIComponent(`${run.id}/../x`)}`,
      `runs=${run.id},`,
      `runs=${run.id}&afterSteps=1,2`,
      `runs=${run.id}&afterSteps=x`,
      `runs=${run.id}&afterSteps=-2`,
      `runs=${run.id}&afterSteps=1e400`,
      `runs=${run.id}&afterSteps=${encodeURIComponent("1 ")}`,
    ];
    for (const query of hostile) expect([query, ...(await ask(query))]).toEqual([query, 400, "INVALID_ARGUMENT"]);
    expect(await ask(`runs=${run.id},nosuchrun`)).toEqual([404, "RUN_NOT_FOUND"]);
    // A finished run: its rows and its state, and the stream ends.
    const done = await (await fetch(`${server.url}/api/v1/projects/team/live/events?runs=${run.id}`)).text();
    expect(done).toContain(`event: rows\ndata: {"run":"${run.id}","rows":[{`);
    expect(done).toMatch(/event: state\ndata: \{"run":"[^"]+","state":"finished"/);
  });
});
