import { init } from "@runlog/core";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { serverKinds } from "../test-support/server-kinds.js";
import { MAX_JSON_DEPTH } from "./json-body.js";

const json = { "content-type": "application/json" };

describe.each(serverKinds())("requests that could stall a %s server", (_name, start) => {
  it("refuses a deeply nested JSON body with 400 {code, message} before parsing it, and keeps answering /healthz", async () => {
    const server = await start();
    const depth = 9_000_000; // 18 MB of brackets: below the commit route's 64 MiB limit
    const deep = rawRequest(server.url, {
      method: "POST",
      path: "/api/v1/artifacts/e/p/commit",
      headers: json,
      body: `${"[".repeat(depth)}${"]".repeat(depth)}`,
    });
    const health = await rawRequest(server.url, { path: "/healthz" });
    const refused = await deep;
    expect([refused.status, errorBody(refused)]).toEqual([
      400,
      { code: "INVALID_ARGUMENT", message: expect.stringMatching(/nests deeper/) },
    ]);
    expect([health.status, health.json()]).toEqual([200, { ok: true, store: server.store.kind }]);
    // Just past the limit, inside an object and among strings holding brackets: still refused.
    const nested = `{"name":"a[{","metadata":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}`;
    const justPast = await rawRequest(server.url, { method: "POST", path: "/api/v1/artifacts/e/p/a/resolve", headers: json, body: nested });
    expect([justPast.status, errorBody(justPast)?.code]).toEqual([400, "INVALID_ARGUMENT"]);
    // At the limit it parses, and the handler answers (here: no such artifact).
    const within = `{"alias":"x[[","m":${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}}`;
    const atLimit = await rawRequest(server.url, { method: "POST", path: "/api/v1/artifacts/e/p/a/resolve", headers: json, body: within });
    expect(errorBody(atLimit)?.code).not.toBe("INVALID_ARGUMENT");
    // Each route takes the body size its requests need: a resolve 64 KiB, a heartbeat next to nothing, the rest 1 MiB.
    for (const [path, bytes] of [
      ["/api/v1/artifacts/e/p/a/resolve", 100_000],
      ["/api/v1/ingest/e/p/r/heartbeat", 2_000],
      ["/api/v1/store/runs/e/p/r/points", 2 << 20],
    ] as const) {
      const big = await rawRequest(server.url, { method: "POST", path, headers: json, body: JSON.stringify({ alias: "x".repeat(bytes) }) });
      expect([path, big.status, typeof errorBody(big)?.message]).toEqual([path, 413, "string"]);
    }
    expect((await rawRequest(server.url, { path: "/healthz" })).status).toBe(200);
  });

  it("bounds a history page and a live-events push by bytes, and paging returns every row exactly once", async () => {
    const maxPageBytes = 64 * 1024;
    const server = await start({ maxPageBytes, pollMs: 10 });
    const run = await init({ dir: tempRoot(), mode: "online", baseUrl: server.url, entity: "e", project: "p", settings: QUIET });
    const keys = Array.from({ length: 50 }, (_, i) => `metric_${i}`);
    for (let step = 0; step < 600; step++) run.log(Object.fromEntries(keys.map((key, i) => [key, step * 1000 + i + 0.123456789])));
    await run.finish();
    const steps: number[] = [];
    let pages = 0;
    for (let minStep: string | undefined = "0"; minStep !== undefined; pages++) {
      const page = await rawRequest(server.url, { path: `/api/v1/runs/e/p/${run.id}/history?limit=10000&minStep=${minStep}` });
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(maxPageBytes);
      const rows = page.json() as { _step: number; metric_49: number }[];
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.metric_49).toBe(row._step * 1000 + 49.123456789);
      steps.push(...rows.map((row) => row._step));
      minStep = page.headers["x-next-min-step"];
    }
    expect(steps).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(pages).toBeGreaterThan(5);
    // The row limit still ends a page first when it is smaller, and says where to go on.
    const limited = await rawRequest(server.url, { path: `/api/v1/runs/e/p/${run.id}/history?limit=3` });
    expect([(limited.json() as unknown[]).length, limited.headers["x-next-min-step"]]).toEqual([3, "3"]);
    const last = await rawRequest(server.url, { path: `/api/v1/runs/e/p/${run.id}/history?minStep=598` });
    expect([(last.json() as unknown[]).length, last.headers["x-next-min-step"]]).toEqual([2, undefined]);
    // Live events push the same rows in pushes of the same bound, each row once.
    const events = await rawRequest(server.url, { path: `/api/v1/runs/e/p/${run.id}/events` });
    const pushes = events.body
      .toString()
      .split("\n\n")
      .filter((frame) => frame.startsWith("event: rows\n"))
      .map((frame) => frame.slice("event: rows\ndata: ".length));
    expect(pushes.length).toBeGreaterThan(5);
    for (const push of pushes) expect(Buffer.byteLength(push)).toBeLessThanOrEqual(maxPageBytes);
    expect(pushes.flatMap((push) => (JSON.parse(push) as { _step: number }[]).map((row) => row._step))).toEqual(steps);
  });

  it("bounds a store rows answer by bytes, paging returns every row exactly once, and a hostile limit is a 400", async () => {
    const maxPageBytes = 64 * 1024;
    const server = await start({ maxPageBytes });
    const run = await init({ dir: tempRoot(), mode: "online", baseUrl: server.url, entity: "e", project: "p", settings: QUIET });
    const keys = Array.from({ length: 40 }, (_, i) => `text_${i}`);
    for (let step = 0; step < 400; step++) run.log(Object.fromEntries(keys.map((key) => [key, `${key}@${step}`])));
    await run.finish();
    const rowsPath = `/api/v1/store/runs/e/p/${run.id}/rows`;
    const steps: number[] = [];
    let pages = 0;
    for (let from: string | undefined = "-Infinity"; from !== undefined; pages++) {
      const page = await rawRequest(server.url, { path: `${rowsPath}?from=${from}&to=Infinity` });
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(maxPageBytes);
      const rows = page.json() as [number, Record<string, string>][];
      expect(rows.length).toBeGreaterThan(0);
      for (const [step, data] of rows) expect(data.text_39).toBe(`text_39@${step}`);
      steps.push(...rows.map(([step]) => step));
      from = page.headers["x-next-min-step"];
    }
    expect(steps).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(pages).toBeGreaterThan(5);
    const limited = await rawRequest(server.url, { path: `${rowsPath}?from=10&limit=3` });
    expect([(limited.json() as [number][]).map(([step]) => step), limited.headers["x-next-min-step"]]).toEqual([[10, 11, 12], "13"]);
    for (const limit of ["1e400", "99999999999999999999", "10001", "-5", "0", "NaN", "abc", "2.5"]) {
      const hostile = await rawRequest(server.url, { path: `${rowsPath}?limit=${limit}` });
      expect([limit, hostile.status, errorBody(hostile)?.code, typeof errorBody(hostile)?.message]).toEqual([
        limit,
        400,
        "INVALID_ARGUMENT",
        "string",
      ]);
    }
    const badFrom = await rawRequest(server.url, { path: `${rowsPath}?from=NaN` });
    expect([badFrom.status, errorBody(badFrom)?.code]).toEqual([400, "INVALID_ARGUMENT"]);
  });

  it("answers repeated bad keys from one address with 429 and Retry-After, other addresses unaffected", async () => {
    const server = await start({ requireKeys: true });
    const { key } = await server.store.keys.create({ entity: "e", scope: "read" });
    const guesses = [];
    for (let i = 0; i < 40; i++) {
      guesses.push(
        await rawRequest(server.url, { path: "/api/v1/projects", headers: { authorization: `Bearer rlk_000000000000_guess${i}` } }),
      );
    }
    expect(guesses[0]?.status).toBe(401);
    const limited = guesses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(10);
    const [first] = limited;
    expect(first?.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
    expect(first && errorBody(first)?.code).toBe("RATE_LIMITED");
    // While that address waits, even a right key from it waits; another address is answered as usual.
    expect((await rawRequest(server.url, { path: "/api/v1/projects", headers: { authorization: `Bearer ${key}` } })).status).toBe(429);
    const elsewhere = { localAddress: "127.0.0.2", host: new URL(server.url).host };
    expect(
      (await rawRequest(server.url, { ...elsewhere, path: "/api/v1/projects", headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);
    expect(
      (await rawRequest(server.url, { ...elsewhere, path: "/api/v1/projects", headers: { authorization: `Bearer ${key}` } })).status,
    ).toBe(200);
    // Public routes never wait.
    expect((await rawRequest(server.url, { path: "/healthz" })).status).toBe(200);
  });

  it("behind a trusted proxy, limits failed authentications per forwarded client", async () => {
    const server = await start({ requireKeys: true, trustProxy: true });
    const from = (client: string, key: string) =>
      rawRequest(server.url, { path: "/api/v1/projects", headers: { authorization: `Bearer ${key}`, "x-forwarded-for": client } });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await from("10.0.0.1", "nope")).status);
    expect(statuses).toContain(429);
    expect((await from("10.0.0.2", "nope")).status).toBe(401);
  });
});
