import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { init } from "@runlog/core";
import { encodeFrames, validateRunId, validateScopeName } from "@runlog/core/store-kit";
import { seededRandom } from "@runlog/test-support/seeded-random";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import type { RunlogServer } from "./index.js";
import { errorBody, type RawResponse, rawRequest } from "./test-support/raw-http.js";
import { serverKinds } from "./test-support/server-kinds.js";

const REQUESTS = 5000;
/** FUZZ_SEED=<n> replays a failing run; each request's RNG derives from the seed and its number alone. */
const SEED = Number(process.env.FUZZ_SEED ?? 42);

/** A deterministic generator (mulberry32). */
function random(seed: number) {
  const next = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(next() * 256));
  return { next, pick, bytes };
}
/** Request n's own generator: the same request whichever worker sends it, in whatever order. */
const requestRandom = (n: number) => random(Math.imul(SEED ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35));

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

/** Route templates and what may answer them: `never2xx` routes must refuse whatever they are sent. */
interface FuzzRoute {
  path: string;
  never2xx?: boolean;
}
const ROUTES: FuzzRoute[] = [
  { path: "/api/v1/projects" },
  { path: "/api/v1/projects/E/P/runs" },
  { path: "/api/v1/projects/E/P/series" },
  { path: "/api/v1/runs/E/P/I" },
  { path: "/api/v1/runs/E/P/I/series" },
  { path: "/api/v1/runs/E/P/I/history" },
  { path: "/api/v1/runs/E/P/I/files" },
  { path: "/api/v1/runs/E/P/I/file/../../../../etc/passwd", never2xx: true },
  { path: "/api/v1/runs/E/P/I/file/%2e%2e/%2e%2e/etc/passwd", never2xx: true },
  { path: "/api/v1/runs/E/P/I/traces" },
  { path: "/api/v1/store/runs/E/P/I/chunks" },
  { path: "/api/v1/store/runs/E/P/I/points" },
  { path: "/api/v1/ingest/E/P/I/records" },
  { path: "/api/v1/ingest/E/P/I/describe" },
  { path: "/api/v1/ingest/E/P/I/heartbeat" },
  { path: "/api/v1/ingest/E/P/I/files/../../../../tmp/x", never2xx: true },
  { path: "/api/v1/ingest/E/P/I/files/..%2f..%2f..%2ftmp%2fx", never2xx: true },
  { path: "/api/v1/ingest/E/P/I/files/media/a.png" },
  { path: "/api/v1/objects/I", never2xx: true },
  { path: "/api/v1/objects/0000000000000000000000000000000000000000000000000000000000000000" },
  { path: "/api/v1/artifacts/E/P/commit" },
  { path: "/api/v1/artifacts/E/P/I/resolve" },
  { path: "/api/v1/artifacts/E/P/I/link" },
  { path: "/api/v1/artifacts/E/P/I/aliases" },
  { path: "/api/v1/artifacts/E/P/I/upsert" },
  { path: "/api/v1/artifacts/E/P/I/finish" },
  { path: "/api/v1/artifacts/E/P/lineage" },
  { path: "/api/v1/artifacts/E/P" },
  { path: "/api/v1/runs/E/P/I/artifacts/logged" },
  { path: "/../../etc/passwd", never2xx: true },
  { path: "/assets/..%2f..%2fpackage.json", never2xx: true },
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

type Random = ReturnType<typeof random>;

function body(r: Random): { body?: Uint8Array | string; headers: Record<string, string> } {
  const kind = r.pick(["none", "bytes", "json", "badjson", "deepjson", "text", "frames", "gzipbomb", "badgzip", "huge"] as const);
  const octet = { "content-type": "application/octet-stream" };
  switch (kind) {
    case "none":
      return { headers: {} };
    case "bytes":
      return { body: r.bytes(Math.floor(r.next() * 4096)), headers: octet };
    case "json": {
      const text = JSON.stringify({
        key: r.pick([1, "loss", null, [], {}]),
        blobIds: r.pick([[1, 2], "x", [-1e308], null]),
        name: r.pick(["ok", "../x", "", 5, "a".repeat(300)]),
        type: r.pick(["dataset", null, "x".repeat(100)]),
        contents: r.pick([
          {},
          { "a.txt": { digest: "d", size: -1 } },
          { "../../x": { digest: "d", size: 1, ref: "file:///etc/passwd" } },
          { "a.txt": { digest: "d", size: 1, extra: { sha256: "0".repeat(64) } } },
          "x",
        ]),
        versionId: r.pick([1, -1, "1", 1e300]),
        aliases: r.pick([["best"], "x", [1, 2], ["a/b"]]),
        runPath: r.pick(["e/p/x", "../../x", 5]),
        alias: r.pick(["latest", "v99", 5]),
      });
      // Prototype poisoning, which JSON.stringify cannot produce from an object literal.
      const poisoned = r.next() < 0.1 ? text.replace(/^\{/, '{"__proto__":{"admin":true},') : text;
      return { body: poisoned, headers: { "content-type": "application/json" } };
    }
    case "badjson":
      return { body: '{"key": "loss", ', headers: { "content-type": "application/json" } };
    case "deepjson":
      return { body: `${"[".repeat(5000)}${"]".repeat(5000)}`, headers: { "content-type": "application/json" } };
    case "text":
      return { body: '{"key":"loss"}', headers: { "content-type": r.pick(["text/plain", "application/x-www-form-urlencoded"]) } };
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
      return { body: r.bytes(100), headers: { ...octet, "content-encoding": "gzip" } };
    case "huge":
      return { body: HUGE, headers: octet };
  }
}

interface FuzzRequest {
  n: number;
  method: string;
  path: string;
  route: FuzzRoute;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  keyed: boolean;
}

/** Request n, built from its own generator only. */
export function fuzzRequest(n: number, key: string): FuzzRequest {
  const r = requestRandom(n);
  const route = r.pick(ROUTES);
  // Most names are the known run's, so requests reach real handlers, not only name checks.
  const name = (valid: string) => (r.next() < 0.7 ? valid : encodeURIComponent(r.pick(SEGMENTS)).replace(/%25/g, "%"));
  let path = route.path.replace(/\b[EPI]\b/g, (slot) => name(slot === "E" ? "e" : slot === "P" ? "p" : "known"));
  // The same route spelled another way (one character percent-encoded), as a proxy might pass it on.
  if (r.next() < 0.3) {
    const at = 1 + Math.floor(r.next() * (path.length - 1));
    if (path[at] !== "/" && path[at] !== "%")
      path = `${path.slice(0, at)}%${path.charCodeAt(at).toString(16).padStart(2, "0")}${path.slice(at + 1)}`;
  }
  path += r.pick(QUERIES);
  const method = r.pick(["GET", "HEAD", "POST", "POST", "PUT", "DELETE"]);
  let { body: payload, headers } = method === "GET" || method === "HEAD" || method === "DELETE" ? { headers: {} } : body(r);
  // The 17 MiB and 80 MiB bodies test limits, not throughput: about one in fifty is kept.
  if ((payload === HUGE || payload === GZIP_BOMB) && r.next() > 0.02) payload = undefined;
  const keyed = n % 10 !== 0;
  if (keyed) headers = { ...headers, authorization: `Bearer ${key}` };
  return { n, method, path, route, headers, keyed, ...(payload === undefined ? {} : { body: payload }) };
}

/** What request n may be answered with; a string says what was wrong. */
function judge(request: FuzzRequest, response: RawResponse): string | undefined {
  const { status } = response;
  if (!(status >= 200 && status < 500)) return `status ${status}`;
  if (status >= 400 && request.method !== "HEAD" && errorBody(response) === undefined) return "an error without {code, message}";
  if (response.body.toString("latin1").includes("root:x:0")) return "served /etc/passwd";
  const api = request.path.startsWith("/api/");
  if (!request.keyed && api && status < 400) return "answered without a key";
  if (request.route.never2xx && status < 300) return "accepted a traversal or malformed name";
  const ingestRecords = request.path.includes("/ingest/") && request.path.includes("/records") && request.method === "POST";
  if (ingestRecords && status < 400) return "applied hostile frames";
  if (request.headers["content-type"]?.startsWith("text/") && request.method !== "GET" && status < 400) return "took a text body";
  return undefined;
}

/** Names init() would refuse: nothing stored may be named so. */
function unaddressable(validate: () => unknown): boolean {
  try {
    validate();
    return false;
  } catch {
    return true;
  }
}

async function snapshot(server: RunlogServer, key: string) {
  const read = (path: string) =>
    rawRequest(server.url, { path, headers: { authorization: `Bearer ${key}` } }).then((response) => response.body.toString());
  return Promise.all([
    read("/api/v1/store/runs/e/p/known/chunks?key=loss"),
    // A fuzzed upload that is valid (the key may write, the path is fine) adds media/a.png legitimately.
    read("/api/v1/runs/e/p/known/files").then((body) =>
      JSON.stringify((JSON.parse(body) as { path: string }[]).filter((file) => file.path !== "media/a.png")),
    ),
    read("/api/v1/runs/e/p/known/file/notes.txt"),
  ]);
}

describe.each(serverKinds())("fuzzed raw HTTP requests to a %s server", (_name, start) => {
  it(`answers ${REQUESTS} malformed, oversized and hostile requests as each route should, and changes nothing it refused`, async () => {
    const server = await start({ requireKeys: true, rateLimit: 0, authFailureRate: 0 });
    const key = (await server.store.keys.create({ entity: "*", scope: "write" })).key;
    const dir = tempRoot();
    const run = await init({
      dir,
      mode: "online",
      baseUrl: server.url,
      apiKey: key,
      project: "p",
      entity: "e",
      id: "known",
      settings: QUIET,
    });
    for (let step = 0; step < 3000; step++) run.log({ loss: step / 10 });
    writeFileSync(`${dir}/notes.txt`, "kept");
    await run.save(`${dir}/notes.txt`, { basePath: dir });
    await run.finish();
    const before = await snapshot(server, key);

    const failures: string[] = [];
    const one = async (n: number) => {
      const request = fuzzRequest(n, key);
      const response = await rawRequest(server.url, {
        method: request.method,
        path: request.path,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const wrong = judge(request, response);
      if (wrong !== undefined) {
        failures.push(
          `FUZZ_SEED=${SEED} #${n}: ${request.method} ${request.path.slice(0, 100)} → ${response.status} ${response.body.toString().slice(0, 100)}: ${wrong}`,
        );
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < REQUESTS) await one(next++);
      }),
    );
    expect(failures.slice(0, 20)).toEqual([]);

    // The limits, once each on purpose: a 17 MiB batch, a gzip body inflating past 64 MiB.
    const post = (payload: Uint8Array, headers: Record<string, string> = {}) =>
      rawRequest(server.url, {
        method: "POST",
        path: "/api/v1/ingest/e/p/known/records",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream", ...headers },
        body: payload,
      });
    expect((await post(HUGE)).status).toBe(413);
    const bomb = await post(GZIP_BOMB, { "content-encoding": "gzip" });
    expect([bomb.status, errorBody(bomb)?.message]).toEqual([400, expect.stringMatching(/inflates past/)]);

    // Nothing already stored changed, nothing unaddressable was stored, and the server still takes runs.
    expect(await snapshot(server, key)).toEqual(before);
    for (const project of await server.store.reader.listProjects()) {
      expect(unaddressable(() => validateScopeName("entity", project.entity))).toBe(false);
      expect(unaddressable(() => validateScopeName("project", project.name))).toBe(false);
      for (const stored of await server.store.reader.listRuns(project.entity, project.name))
        expect(unaddressable(() => validateRunId(stored.id))).toBe(false);
    }
    const again = await init({
      dir: tempRoot(),
      mode: "online",
      baseUrl: server.url,
      apiKey: key,
      project: "p",
      entity: "e",
      settings: QUIET,
    });
    again.log({ fine: 1 });
    await again.finish();
    expect((await server.store.reader.listRuns("e", "p")).map((r) => r.id)).toContain(again.id);
  }, 300_000);
});

describe("fuzz requests", () => {
  it("are the same for the same seed and number, whatever was generated before", () => {
    const first = [fuzzRequest(7, "k"), fuzzRequest(3, "k")];
    const again = [fuzzRequest(3, "k"), fuzzRequest(7, "k")];
    expect(first[0]).toEqual(again[1]);
    expect(first[1]).toEqual(again[0]);
    expect(fuzzRequest(7, "k")).not.toEqual(fuzzRequest(8, "k"));
  });
});
