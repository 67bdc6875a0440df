import { parseSweepConfig } from "@runlog/core";
import { encodeFrames } from "@runlog/core/store-kit";
import { describe, expect, it } from "vitest";
import { rawRequest } from "../test-support/raw-http.js";
import { seededServer } from "../test-support/seeded-server.js";
import { serverKinds } from "../test-support/server-kinds.js";

interface Route {
  method: string;
  /** Path with `{id}`, `{sha}`, `{version}` filled from the seed; query after `?` is never respelled. */
  path: string;
  body?: "json" | "binary" | "none";
  json?: unknown;
}

/** Every route family, with a body its handler would accept. */
const ROUTES: Route[] = [
  { method: "GET", path: "/api/v1/projects/lab/p/runs" },
  { method: "GET", path: "/api/v1/projects/lab/p/series?runs={id}&key=loss" },
  { method: "GET", path: "/api/v1/projects/lab/p/keys?runs={id}" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/keys" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/series?key=loss" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/history" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/traces" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/alerts" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/files" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/file/notes.txt" },
  { method: "HEAD", path: "/api/v1/runs/lab/p/{id}/file/notes.txt" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/artifacts" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/lineage" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/events" },
  { method: "GET", path: "/api/v1/projects/lab/p/events?runs={id}" },
  { method: "GET", path: "/api/v1/store/projects/lab/p/runs" },
  { method: "GET", path: "/api/v1/store/runs/lab/p/{id}" },
  { method: "GET", path: "/api/v1/store/runs/lab/p/{id}/keys" },
  { method: "GET", path: "/api/v1/store/runs/lab/p/{id}/chunks?key=loss" },
  { method: "GET", path: "/api/v1/store/runs/lab/p/{id}/rows" },
  { method: "GET", path: "/api/v1/store/runs/lab/p/{id}/files" },
  { method: "POST", path: "/api/v1/store/runs/lab/p/{id}/points", body: "json", json: { stream: "history", key: "loss", blobIds: [] } },
  { method: "POST", path: "/api/v1/ingest/lab/p/{id}/describe", body: "none" },
  { method: "POST", path: "/api/v1/ingest/lab/p/{id}/heartbeat", body: "none" },
  { method: "POST", path: "/api/v1/ingest/lab/p/{id}/records", body: "binary" },
  { method: "PUT", path: "/api/v1/ingest/lab/p/{id}/files/extra.txt", body: "binary" },
  { method: "GET", path: "/api/v1/objects/{sha}" },
  { method: "HEAD", path: "/api/v1/objects/{sha}" },
  { method: "PUT", path: "/api/v1/objects/{sha}", body: "binary" },
  { method: "POST", path: "/api/v1/artifacts/lab/p/data/resolve", body: "json", json: { alias: "latest" } },
  { method: "GET", path: "/api/v1/artifacts/lab/p/data/versions" },
  { method: "POST", path: "/api/v1/artifacts/lab/p/data/aliases", body: "json", json: { versionId: "{version}", aliases: ["x"] } },
  { method: "POST", path: "/api/v1/artifacts/lab/p/data/link", body: "json", json: { versionId: "{version}", aliases: [] } },
  {
    method: "POST",
    path: "/api/v1/artifacts/lab/p/data/upsert",
    body: "json",
    json: { distributedId: "d", type: "dataset", contents: { "a.txt": { digest: "d", size: 10, extra: { sha256: "{sha}" } } } },
  },
  { method: "POST", path: "/api/v1/artifacts/lab/p/data/finish", body: "json", json: { distributedId: "d", type: "dataset" } },
  { method: "GET", path: "/api/v1/artifacts/lab/p" },
  { method: "GET", path: "/api/v1/artifacts/lab/p/lineage?run={id}" },
  { method: "GET", path: "/api/v1/runs/lab/p/{id}/artifacts/logged" },
  { method: "POST", path: "/api/v1/session", body: "none" },
  { method: "GET", path: "/api/v1/session" },
  { method: "PATCH", path: "/api/v1/runs/lab/p/{id}", body: "json", json: { tags: ["edited"], notes: "edited" } },
  { method: "GET", path: "/api/v1/projects/lab/p/workspace" },
  { method: "PUT", path: "/api/v1/projects/lab/p/workspace", body: "json", json: { layout: { n: "20" } } },
  { method: "GET", path: "/api/v1/projects/lab/p/sweeps" },
  { method: "GET", path: "/api/v1/projects/lab/p/sweeps/{sweep}" },
  { method: "PUT", path: "/api/v1/projects/lab/p/sweeps/{sweep}/state", body: "json", json: { state: "paused" } },
  {
    method: "POST",
    path: "/api/v1/projects/lab/p/sweeps",
    body: "json",
    json: { config: { method: "grid", parameters: { a: { values: [1] } } } },
  },
  { method: "POST", path: "/api/v1/projects/lab/p/sweeps/{sweep}/take", body: "json", json: { agentId: "a", leaseSeconds: 60 } },
];
const SWEEP_ID = "sweep-1";
/** Lists across entities: 200 for any key, but never with another entity's data. */
const LISTS = ["/api/v1/projects", "/api/v1/store/projects", "/api/v1/sweeps/sweep-1"];

const hex = (char: string, upper: boolean) => {
  const code = char.charCodeAt(0).toString(16).padStart(2, "0");
  return `%${upper ? code.toUpperCase() : code}`;
};

/** The same route spelled every way a router or proxy might still map onto it. */
export function spellings(path: string): string[] {
  const out = new Set<string>([path]);
  for (let i = 1; i < path.length; i++) {
    if (path[i] !== "/") out.add(path.slice(0, i) + hex(path[i] as string, i % 2 === 0) + path.slice(i + 1));
  }
  out.add(
    path
      .split("")
      .map((c) => (c === "/" ? c : hex(c, false)))
      .join(""),
  );
  const segments = path.split("/");
  out.add(`/${path}`);
  out.add(path.replace("/v1/", "//v1/"));
  out.add(path.replaceAll("/", "//"));
  out.add(path.replace("/v1/", "/v1/./"));
  out.add(path.replace("/v1/", "/x/../v1/"));
  out.add(path.replace("/v1/", "/x/%2e%2e/v1/"));
  out.add(path.replace("/v1/", "/x/%2E%2E%2Fv1/"));
  out.add(path.replace("/api/", "/api/%2e/"));
  out.add(`${path}/.`);
  out.add(path.toUpperCase());
  out.add(path.replace("/api/", "/API/"));
  out.add(`${path}/`);
  out.add(`${path}%00`);
  out.add(`${path}\u0000`);
  out.add(path.replace("/v1/", "/v1%00/"));
  out.add(path.replace("/api/", "/%c1%a1pi/")); // overlong UTF-8 "a"
  out.add(path.replace("/v1/", "%c0%afv1/")); // overlong UTF-8 "/"
  out.add(path.replace("/v1/", "\\v1\\"));
  out.add(`${path};x=1`);
  out.add(`${segments.slice(0, -1).join("/")}/${"a".repeat(9000)}/../${segments.at(-1)}`);
  return [...out];
}

const fill = (text: string, seed: { runId: string; objects: { lab: string }; labVersionId: number }) =>
  text
    .replaceAll("{id}", seed.runId)
    .replaceAll("{sweep}", SWEEP_ID)
    .replaceAll("{sha}", seed.objects.lab)
    .replaceAll('"{version}"', String(seed.labVersionId));

const FRAMES = encodeFrames([{ kind: "config", header: { seq: 999, t: 1, config: { x: 1 } } }]);

describe.each(serverKinds())("routes, however spelled, on a %s server with keys required", (_name, start) => {
  it("never answer 2xx without the right key, to a read key on a write, or to another entity's key", async () => {
    const seed = await seededServer(start);
    const { server, keys } = seed;
    const routes = ROUTES;
    await server.store.sweeps.createSweep({
      entity: "lab",
      project: "p",
      id: SWEEP_ID,
      config: parseSweepConfig({ method: "random", parameters: { lr: { min: 0, max: 1 } } }),
    });
    const notesBefore = await rawRequest(server.url, {
      path: `/api/v1/runs/lab/p/${seed.runId}/file/notes.txt`,
      headers: { authorization: `Bearer ${keys.labRead}` },
    });
    expect(notesBefore.body.toString()).toBe(seed.notes.lab);

    const failures: string[] = [];
    // `guess`: the sender knows an object's hash but not its bytes (another entity's key).
    const send = async (route: Route, path: string, key: string | undefined, guess = false) => {
      const headers: Record<string, string> = key === undefined ? {} : { authorization: `Bearer ${key}` };
      let body: string | Uint8Array | undefined;
      if (route.body === "json") {
        headers["content-type"] = "application/json";
        body = fill(JSON.stringify(route.json), seed);
      } else if (route.body === "binary") {
        headers["content-type"] = "application/octet-stream";
        body = route.path.includes("/records") ? FRAMES : guess ? "a guess" : "lab secret";
      }
      return rawRequest(server.url, { method: route.method, path, headers, ...(body === undefined ? {} : { body }) });
    };
    const check = async (route: Route, key: string | undefined, who: string, guess = false) => {
      const [path = "", query] = fill(route.path, seed).split("?");
      for (const spelled of spellings(path)) {
        const target = query === undefined ? spelled : `${spelled}?${query}`;
        const response = await send(route, target, key, guess);
        if (response.status >= 200 && response.status < 300)
          failures.push(`${who}: ${route.method} ${JSON.stringify(target.slice(0, 120))} → ${response.status}`);
      }
    };
    // The right key passes on the plain spelling: the table names real routes.
    for (const route of routes) {
      const key = route.method === "GET" || route.method === "HEAD" || route.path.includes("/points") ? keys.labRead : keys.labWrite;
      const [path = "", query] = fill(route.path, seed).split("?");
      const ok = await send(route, query === undefined ? path : `${path}?${query}`, key);
      if (!route.path.includes("/records") && (ok.status < 200 || ok.status >= 300))
        failures.push(`control ${route.method} ${route.path} → ${ok.status}`);
    }
    for (const route of routes) {
      await check(route, undefined, "no key");
      await check(route, "rlk_000000000000_not-a-key", "unknown key");
      // The session route only trades a key for a cookie: the same entity's key may.
      if (!route.path.includes("/session")) await check(route, keys.otherWrite, "other entity's key", true);
      const writes = route.method !== "GET" && route.method !== "HEAD" && !route.path.includes("/points");
      if (writes && !route.path.includes("/session")) await check(route, keys.labRead, "read key");
    }
    for (const path of LISTS) {
      for (const spelled of spellings(path)) {
        const none = await rawRequest(server.url, { path: spelled });
        if (none.status < 300) failures.push(`no key: GET ${JSON.stringify(spelled)} → ${none.status}`);
        const other = await rawRequest(server.url, { path: spelled, headers: { authorization: `Bearer ${keys.otherRead}` } });
        if (other.body.toString().includes('"lab"')) failures.push(`other entity's key: GET ${JSON.stringify(spelled)} lists lab`);
      }
    }
    expect(failures).toEqual([]);

    // Nothing the refused requests carried reached lab's data.
    const notesAfter = await rawRequest(server.url, {
      path: `/api/v1/runs/lab/p/${seed.runId}/file/notes.txt`,
      headers: { authorization: `Bearer ${keys.labRead}` },
    });
    expect(notesAfter.body.toString()).toBe(seed.notes.lab);
    const extra = await rawRequest(server.url, {
      path: `/api/v1/runs/lab/p/${seed.runId}/file/extra.txt`,
      headers: { authorization: `Bearer ${keys.labRead}` },
    });
    expect(extra.body.toString()).toBe("lab secret"); // the control's upload, never a refused one's
  }, 240_000);
});
