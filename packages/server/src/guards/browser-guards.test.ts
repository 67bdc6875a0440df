import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { serverKinds } from "../test-support/server-kinds.js";
import { hostName, parseAllowedHosts } from "./browser-guards.js";

const ROUTES = ["/healthz", "/", "/api/v1/projects", "/api/v1/runs/e/p/r/history", "/api/v1/store/projects"];

describe.each(serverKinds())("what a web page can send a keyless %s server", (_name, start) => {
  it("answers only to its own host names (DNS rebinding)", async () => {
    const server = await start({ allowedHosts: ["runlog.internal"] });
    const port = new URL(server.url).port;
    for (const host of [
      "attacker.example",
      `attacker.example:${port}`,
      "ATTACKER.example",
      `localhost.attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `[::2]:${port}`,
      "",
    ]) {
      for (const path of ROUTES) {
        const response = await rawRequest(server.url, { path, host });
        expect([host, path, response.status, errorBody(response)?.code]).toEqual([host, path, 421, "HOST_NOT_ALLOWED"]);
      }
    }
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `127.0.0.2:${port}`,
      `[::1]:${port}`,
      "runlog.internal",
    ]) {
      const response = await rawRequest(server.url, { path: "/api/v1/projects", host });
      expect([host, response.status]).toEqual([host, 200]);
    }
  });

  it("takes writes only with their own content type, and never from another origin; nothing is written", async () => {
    const server = await start();
    const own = new URL(server.url).origin;
    const writes = [
      "/api/v1/ingest/e/p/r/describe",
      "/api/v1/ingest/e/p/r/heartbeat",
      "/api/v1/ingest/e/p/r/records",
      "/api/v1/artifacts/e/p/commit",
      "/api/v1/artifacts/e/p/a/resolve",
      "/api/v1/store/runs/e/p/r/points",
    ];
    // What a page may send without a CORS preflight: text, forms, multipart.
    for (const type of [
      "text/plain",
      "text/plain; charset=utf-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      for (const path of [...writes, "/api/v1/ingest/e/p/r/files/a.txt", `/api/v1/objects/${"0".repeat(64)}`]) {
        const method = path.includes("/files/") || path.includes("/objects/") ? "PUT" : "POST";
        const response = await rawRequest(server.url, { method, path, headers: { "content-type": type }, body: '{"seq":1}' });
        expect([type, path, response.status, errorBody(response)?.code]).toEqual([type, path, 415, "UNSUPPORTED_MEDIA_TYPE"]);
      }
    }
    // A JSON route takes no bytes, a bytes route no JSON.
    const jsonToRecords = await rawRequest(server.url, {
      method: "POST",
      path: "/api/v1/ingest/e/p/r/records",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(jsonToRecords.status).toBe(415);
    const bytesToCommit = await rawRequest(server.url, {
      method: "POST",
      path: "/api/v1/artifacts/e/p/commit",
      headers: { "content-type": "application/octet-stream" },
      body: "{}",
    });
    expect(bytesToCommit.status).toBe(415);
    // Another origin (a browser always sends Origin on a cross-origin POST), even without a body.
    for (const origin of ["http://attacker.example", "null", `${own}.attacker.example`, "http://127.0.0.1:1", "file://"]) {
      for (const path of writes) {
        const response = await rawRequest(server.url, { method: "POST", path, headers: { origin } });
        expect([origin, path, response.status, errorBody(response)?.code]).toEqual([origin, path, 403, "CROSS_ORIGIN"]);
      }
    }
    expect(await server.store.reader.listProjects()).toEqual([]);
    // The dashboard's own origin still writes (its session call) and reads.
    const same = await rawRequest(server.url, { method: "POST", path: "/api/v1/ingest/e/p/r/describe", headers: { origin: own } });
    expect(same.status).toBeLessThan(400);
  });

  it("with keys required, answers any host name (a proxy's) but still refuses cross-origin writes", async () => {
    const server = await start({ requireKeys: true });
    expect((await rawRequest(server.url, { path: "/healthz", host: "runlog.example.com" })).status).toBe(200);
    const { key } = await server.store.keys.create({ entity: "e", scope: "write" });
    const response = await rawRequest(server.url, {
      method: "POST",
      path: "/api/v1/ingest/e/p/r/heartbeat",
      headers: { origin: "http://attacker.example", authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(403);
  });
});

describe("host names", () => {
  it("are read from Host headers and lists without port or brackets", () => {
    expect(["localhost:6006", "[::1]:6006", "::1", "Runlog.Internal", "127.0.0.1"].map(hostName)).toEqual([
      "localhost",
      "::1",
      "::1",
      "runlog.internal",
      "127.0.0.1",
    ]);
    expect(parseAllowedHosts(" a.example , b.example:80,, ")).toEqual(["a.example", "b.example"]);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});
