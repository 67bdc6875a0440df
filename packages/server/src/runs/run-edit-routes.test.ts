import { init } from "@runlog/core";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { seededServer } from "../test-support/seeded-server.js";
import { serverKinds } from "../test-support/server-kinds.js";

const json = { "content-type": "application/json" };

describe.each(serverKinds())("editing a run's tags and notes on a %s server", (_kind, start) => {
  it("edits with the entity's write key, refuses read keys, other entities, no key and malformed edits", async () => {
    // One seeded server for the whole case: temp folders (the embedded store) go after each case.
    const { server, keys, runId } = await seededServer(start);
    const send = (key: string | undefined, method: string, path: string, body?: string) =>
      rawRequest(server.url, {
        method,
        path,
        headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : json) },
        ...(body === undefined ? {} : { body }),
      });
    const read = async (path: string) => JSON.parse((await send(keys.labRead, "GET", path)).body.toString());
    const path = `/api/v1/runs/lab/p/${runId}`;
    expect(await read("/api/v1/session")).toEqual({ keyRequired: true, write: false, entity: "lab" });
    expect(JSON.parse((await send(keys.labWrite, "GET", "/api/v1/session")).body.toString()).write).toBe(true);

    const edit = { tags: ["baseline", "<b>markup</b>", "ünïcode"], notes: "# Notes\n\n<img src=x onerror=alert(1)>" };
    const answer = await send(keys.labWrite, "PATCH", path, JSON.stringify(edit));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ id: runId, ...edit });
    expect(await read(path)).toMatchObject(edit);
    // The runs list (readers cache parsed runs by their applied sequence) and the store API see it too.
    const listed = (await read("/api/v1/projects/lab/p/runs")).runs.find((run: { id: string }) => run.id === runId);
    expect(listed).toMatchObject(edit);
    expect(await read(`/api/v1/store/runs/lab/p/${runId}`)).toMatchObject(edit);
    // The runs table searches tags.
    expect((await read("/api/v1/projects/lab/p/runs?search=baseline")).total).toBe(1);

    // Notes alone leave the tags; "" clears the notes.
    await send(keys.labWrite, "PATCH", path, JSON.stringify({ notes: "" }));
    const cleared = await read(path);
    expect([cleared.tags, cleared.notes]).toEqual([edit.tags, undefined]);

    const refused = [
      [undefined, 401],
      [keys.labRead, 403],
      [keys.otherWrite, 403],
    ] as const;
    for (const [key, status] of refused) {
      expect((await send(key, "PATCH", path, JSON.stringify({ tags: ["hijacked"] }))).status).toBe(status);
    }
    expect((await read(path)).tags).toEqual(edit.tags);
    // The other entity's run of the same id is its own.
    const other = JSON.parse((await send(keys.otherRead, "GET", `/api/v1/runs/other/p/${runId}`)).body.toString());
    expect(other.tags).toEqual([]);

    // Malformed, hostile and oversized edits: a code, and the stored values stay.
    const patch = (body: string, to = path) => send(keys.labWrite, "PATCH", to, body);
    expect((await patch(JSON.stringify({ tags: ["kept"], notes: "kept" }))).status).toBe(200);
    const bodies = [
      "[]",
      "null",
      '"tags"',
      "{}",
      JSON.stringify({ tags: "a,b" }),
      JSON.stringify({ tags: [1] }),
      JSON.stringify({ tags: [""] }),
      JSON.stringify({ tags: ["   "] }),
      JSON.stringify({ tags: [null] }),
      JSON.stringify({ tags: [["nested"]] }),
      JSON.stringify({ tags: ["x".repeat(257)] }),
      JSON.stringify({ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) }),
      JSON.stringify({ tags: ["twice", "twice"] }),
      JSON.stringify({ notes: 42 }),
      JSON.stringify({ notes: null }),
      JSON.stringify({ notes: "é".repeat(32 * 1024 + 1) }), // 64 KiB + 2 bytes of UTF-8
      JSON.stringify({ notes: "ok", name: "renamed" }),
      JSON.stringify({ __proto__: { tags: ["x"] }, notes: "ok" }).replace('"notes"', '"__proto__":{"tags":["x"]},"notes"'),
      `{"tags": [${"[".repeat(200)}${"]".repeat(200)}]}`,
    ];
    for (const body of bodies) {
      const answer = await patch(body);
      expect([body.slice(0, 50), answer.status, errorBody(answer)?.code]).toEqual([body.slice(0, 50), 400, "INVALID_ARGUMENT"]);
    }
    // At the limits is fine.
    const most = { tags: Array.from({ length: 100 }, (_, i) => `${i}`.padEnd(256, "x")), notes: "n".repeat(64 * 1024) };
    expect((await patch(JSON.stringify(most))).status).toBe(200);
    expect((await read(path)).tags).toHaveLength(100);
    expect((await patch(JSON.stringify({ tags: ["kept"], notes: "kept" }))).status).toBe(200);
    const missing = await patch(JSON.stringify({ tags: ["x"] }), "/api/v1/runs/lab/p/no-such-run");
    expect([missing.status, errorBody(missing)?.code]).toEqual([404, "RUN_NOT_FOUND"]);
    expect(await read(path)).toMatchObject({ tags: ["kept"], notes: "kept" });
  });

  it("keeps an edit made while the run is live, and the run's own later writes too", async () => {
    const server = await start();
    const send = (method: string, path: string, body?: string) =>
      rawRequest(server.url, { method, path, headers: body === undefined ? {} : json, ...(body === undefined ? {} : { body }) });
    const read = async (path: string) => JSON.parse((await send("GET", path)).body.toString());
    expect(await read("/api/v1/session")).toEqual({ keyRequired: false, write: true, entity: null });
    const run = await init({
      dir: tempRoot(),
      mode: "online",
      baseUrl: server.url,
      entity: "lab",
      project: "live",
      tags: ["from-run"],
      notes: "run notes",
      settings: QUIET,
    });
    for (let step = 0; step < 10; step++) run.log({ loss: step });
    const path = `/api/v1/runs/lab/live/${run.id}`;
    await expect.poll(async () => (await send("GET", path)).status, { timeout: 20_000 }).toBe(200);
    // Edits of tags and of notes at once, from many clients: each field ends as one whole edit.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send("PATCH", path, JSON.stringify(i % 2 === 0 ? { tags: [`edit-${i}`, "edited"] } : { notes: `note ${i}` })),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const edited = await read(path);
    expect(edited.tags[1]).toBe("edited");
    expect(edited.notes).toMatch(/^note \d+$/);

    // The run renames itself (its run record re-sends its own tags and notes), logs and updates its config.
    run.name = "renamed-by-run";
    run.config.update({ lr: 0.1 });
    run.summary.set("best", 7);
    for (let step = 10; step < 20; step++) run.log({ loss: step });
    await run.finish();
    const after = await read(path);
    expect([after.name, after.tags, after.notes, after.config.lr, after.summary.best, after.state]).toEqual([
      "renamed-by-run",
      edited.tags,
      edited.notes,
      0.1,
      7,
      "finished",
    ]);
  });
});
