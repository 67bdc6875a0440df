import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { init } from "@runlog/core";
import { encodeFrames } from "@runlog/core/store-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempRoot } from "../../core/src/test-support/temp-root.js";
import { startPostgres, type TestPostgres } from "./dev/local-postgres.js";
import { type RunlogServer, serve } from "./index.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
const REQUESTS = 10_000;
let postgres: TestPostgres;
let server: RunlogServer;
let key: string;

beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
  server = await serve({ store: await postgres.createDatabase("fuzz"), port: 0, dir: tempRoot(), requireKeys: true, rateLimit: 0 });
  key = (await server.store.keys.create({ entity: "*", scope: "write" })).key;
});
afterAll(async () => {
  await server?.close();
  await postgres?.stop();
});

/** A deterministic generator (mulberry32), so a failure names a reproducible request. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const GZIP_BOMB = gzipSync(Buffer.alloc(80 * 1024 * 1024));
const HUGE = Buffer.alloc(17 * 1024 * 1024);

const SEGMENTS = [
  "e",
  "p",
  "known",
  "..",
  "%2e%2e",
  "%2F",
  "%00",
  "a".repeat(5000),
  "ü漢",
  "'; DROP TABLE runs;--",
  "<script>",
  "%ff%fe",
  "",
];
const ROUTES = [
  "/api/v1/projects",
  "/api/v1/projects/E/P/runs",
  "/api/v1/projects/E/P/series",
  "/api/v1/runs/E/P/I",
  "/api/v1/runs/E/P/I/series",
  "/api/v1/runs/E/P/I/history",
  "/api/v1/runs/E/P/I/files",
  "/api/v1/runs/E/P/I/file/../../../../etc/passwd",
  "/api/v1/runs/E/P/I/file/%2e%2e/%2e%2e/etc/passwd",
  "/api/v1/runs/E/P/I/traces",
  "/api/v1/store/runs/E/P/I/chunks",
  "/api/v1/store/runs/E/P/I/points",
  "/api/v1/ingest/E/P/I/records",
  "/api/v1/ingest/E/P/I/describe",
  "/api/v1/ingest/E/P/I/heartbeat",
  "/api/v1/ingest/E/P/I/files/../../../../tmp/x",
  "/api/v1/ingest/E/P/I/files/media/a.png",
  "/api/v1/objects/I",
  "/api/v1/objects/0000000000000000000000000000000000000000000000000000000000000000",
  "/api/v1/artifacts/E/P/commit",
  "/api/v1/artifacts/E/P/I/resolve",
  "/api/v1/artifacts/E/P/I/link",
  "/api/v1/artifacts/E/P/I/aliases",
  "/../../etc/passwd",
  "/assets/..%2f..%2fpackage.json",
];
const QUERIES = [
  "",
  "?key=loss",
  "?from=abc&to=-Infinity",
  "?buckets=1e308",
  "?buckets=-5&key=",
  "?filters=%7B%22%24regex%22%3A%22(a%2B)%2B%22%7D",
  "?runs=a,b,c&key=x",
  "?offset=NaN",
];

function body(r: ReturnType<typeof random>): { body?: Uint8Array | string; headers: Record<string, string> } {
  const kind = r.pick(["none", "bytes", "json", "badjson", "frames", "gzipbomb", "badgzip", "huge"] as const);
  const octet = { "content-type": "application/octet-stream" };
  switch (kind) {
    case "none":
      return { headers: {} };
    case "bytes":
      return { body: randomBytes(Math.floor(r.next() * 4096)), headers: octet };
    case "json":
      return {
        body: JSON.stringify({
          key: r.pick([1, "loss", null, [], {}]),
          blobIds: r.pick([[1, 2], "x", [-1e308], null]),
          name: r.pick(["ok", "../x", "", 5, "a".repeat(300)]),
          type: r.pick(["dataset", null, "x".repeat(100)]),
          contents: r.pick([
            {},
            { "a.txt": { digest: "d", size: -1 } },
            { "../../x": { digest: "d", size: 1, ref: "file:///etc/passwd" } },
            "x",
          ]),
          versionId: r.pick([1, -1, "1", 1e300]),
          aliases: r.pick([["best"], "x", [1, 2], ["a/b"]]),
          runPath: r.pick(["e/p/x", "../../x", 5]),
          alias: r.pick(["latest", "v99", 5]),
        }),
        headers: { "content-type": "application/json" },
      };
    case "badjson":
      return { body: '{"key": "loss", ', headers: { "content-type": "application/json" } };
    case "frames": {
      // Well-framed records with hostile headers: wrong types, other runs, absurd sizes, traversal paths.
      const header = r.pick<object>([
        { seq: 1, t: 1, entity: "other", project: "p", id: "x", name: "n", tags: [], startTime: 1, crashTimeout: 1, attempt: 0 },
        { seq: "1", t: 1 },
        { seq: 1, t: 1, path: "../../etc/passwd", size: 1 },
        { seq: 1, t: 1, stream: "history", keys: ["a"], counts: [1_000_000], rows: [], lastStep: 0 },
        { seq: 1, t: 1, config: [1, 2] },
        { seq: 2, t: 1, exitCode: "x", state: "weird", runtime: 1 },
      ]);
      const recordKind = r.pick(["run", "file", "history", "config", "exit", "span", "alert"] as const);
      return { body: encodeFrames([{ kind: recordKind, header }]), headers: octet };
    }
    case "gzipbomb":
      return { body: GZIP_BOMB, headers: { ...octet, "content-encoding": "gzip" } };
    case "badgzip":
      return { body: randomBytes(100), headers: { ...octet, "content-encoding": "gzip" } };
    case "huge":
      return { body: HUGE, headers: octet };
  }
}

const onlineRun = (options: { id?: string } = {}) =>
  init({ dir: tempRoot(), mode: "online", baseUrl: server.url, apiKey: key, project: "p", entity: "e", settings: QUIET, ...options });

describe("fuzzed HTTP requests", () => {
  it(`answers ${REQUESTS} malformed, oversized and hostile requests with 4xx, and stays healthy with data intact`, async () => {
    const run = await onlineRun({ id: "known" });
    for (let step = 0; step < 3000; step++) run.log({ loss: step / 10 });
    await run.finish();
    const before = await (
      await fetch(`${server.url}/api/v1/store/runs/e/p/known/chunks?key=loss`, { headers: { authorization: `Bearer ${key}` } })
    ).text();

    const r = random(42);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let hugeSent = 0;
    const one = async (n: number) => {
      const path = r.pick(ROUTES).replace(/\b[EPI]\b/g, () => encodeURIComponent(r.pick(SEGMENTS)).replace(/%25/g, "%")) + r.pick(QUERIES);
      const method = r.pick(["GET", "POST", "POST", "PUT", "DELETE"]);
      let { body: payload, headers } = method === "GET" || method === "DELETE" ? { headers: {} as Record<string, string> } : body(r);
      // Keep the 17 MiB and 80 MiB bodies to a handful: they test limits, not throughput.
      if (payload === HUGE && hugeSent++ > 8) payload = undefined;
      if (n % 50 !== 0) headers = { ...headers, authorization: `Bearer ${key}` };
      const response = await fetch(`${server.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const hostileIngest = path.includes("/ingest/") && path.includes("/records") && method === "POST";
      if (response.status >= 500 || (hostileIngest && response.status < 400) || text.includes("root:x:0")) {
        failures.push(`${method} ${path.slice(0, 120)} → ${response.status} ${text.slice(0, 120)}`);
      }
    };
    const CONCURRENCY = 16;
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) await one(next++);
      }),
    );
    expect([...new Set(failures)].slice(0, 20)).toEqual([]);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    expect(statuses.get(401)).toBeGreaterThan(0);
    // The size limits, once each on purpose: a 17 MiB batch, and a gzip body inflating past 64 MiB.
    const post = (body: Uint8Array, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1/ingest/e/p/known/records`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream", ...headers },
        body,
      });
    expect((await post(HUGE)).status).toBe(413);
    const bomb = await post(GZIP_BOMB, { "content-encoding": "gzip" });
    expect(bomb.status).toBe(400);
    expect(await bomb.text()).toMatch(/inflates past/);

    // Healthy, and nothing already logged changed.
    const after = await (
      await fetch(`${server.url}/api/v1/store/runs/e/p/known/chunks?key=loss`, { headers: { authorization: `Bearer ${key}` } })
    ).text();
    expect(after).toBe(before);
    const again = await onlineRun();
    again.log({ fine: 1 });
    await again.finish();
    expect((await server.store.reader.listRuns("e", "p")).length).toBe(2);
  }, 300_000);
});
