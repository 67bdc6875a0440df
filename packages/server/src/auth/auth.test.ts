import { init, RunlogError } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "../dev/local-postgres.js";
import { type RunlogServer, serve } from "../index.js";

const QUIET = { quiet: true, console: "off", disableStats: true, finishTimeout: 2 } as const;
let postgres: TestPostgres;
const servers: RunlogServer[] = [];
beforeAll(async () => {
  postgres = await startPostgres({ fsync: false });
});
afterAll(async () => {
  for (const server of servers.splice(0)) await server.close();
  await postgres?.stop();
});

async function keyedServer(options: { rateLimit?: number } = {}): Promise<RunlogServer> {
  const server = await serve({
    store: await postgres.createDatabase(`auth_${servers.length}`),
    port: 0,
    dir: tempRoot(),
    requireKeys: true,
    ...options,
  });
  servers.push(server);
  return server;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return RunlogError.isInstance(error) ? error.code : `not a RunlogError: ${String(error)}`;
  }
}

const get = (server: RunlogServer, path: string, key?: string) =>
  fetch(`${server.url}${path}`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

describe("API keys", () => {
  it("stores only a hash, and lists keys without the secret", async () => {
    const server = await keyedServer();
    const { key, info } = await server.store.keys.create({ entity: "lab", scope: "write", description: "ci" });
    expect(key).toMatch(/^rlk_[0-9a-f]{12}_/);
    const listed = await server.store.keys.list();
    expect(listed).toEqual([expect.objectContaining({ id: info.id, entity: "lab", scope: "write", description: "ci" })]);
    expect(JSON.stringify(listed)).not.toContain(key.slice(4 + 13));
    await expect(server.store.keys.create({ entity: "../x", scope: "write" })).rejects.toThrow(/entity/);
    await expect(server.store.keys.create({ entity: "lab", scope: "admin" as "write" })).rejects.toThrow(/scope/);
  });

  it("answers 401 for a missing, wrong or revoked key and 403 for a read key or another entity; nothing is written", async () => {
    const server = await keyedServer();
    const writer = await server.store.keys.create({ entity: "lab", scope: "write" });
    const reader = await server.store.keys.create({ entity: "lab", scope: "read" });
    const revoked = await server.store.keys.create({ entity: "lab", scope: "write" });
    expect(await server.store.keys.revoke(revoked.info.id)).toBe(true);
    expect(await server.store.keys.revoke(revoked.info.id)).toBe(false);

    const online = { dir: tempRoot(), mode: "online", baseUrl: server.url, project: "secure", settings: QUIET } as const;
    expect(await codeOf(init({ ...online, entity: "lab" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(init({ ...online, entity: "lab", apiKey: "rlk_000000000000_wrong" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(init({ ...online, entity: "lab", apiKey: revoked.key }))).toBe("UNAUTHORIZED");
    expect(await codeOf(init({ ...online, entity: "lab", apiKey: reader.key }))).toBe("UNAUTHORIZED");
    expect(await codeOf(init({ ...online, entity: "other", apiKey: writer.key }))).toBe("UNAUTHORIZED");
    expect(await server.store.reader.listProjects()).toEqual([]);

    const statuses = async (path: string) =>
      Promise.all([undefined, "nope", revoked.key, reader.key, writer.key].map(async (key) => (await get(server, path, key)).status));
    expect(await statuses("/api/v1/projects")).toEqual([401, 401, 401, 200, 200]);
    expect(await statuses("/api/v1/store/projects/other/p/runs")).toEqual([401, 401, 401, 403, 403]);
    const post = await fetch(`${server.url}/api/v1/ingest/lab/secure/x/records`, {
      method: "POST",
      headers: { authorization: `Bearer ${reader.key}`, "content-type": "application/octet-stream" },
      body: new Uint8Array(64),
    });
    expect(post.status).toBe(403);

    // The write key works, and keeps working for its own entity only.
    const run = await init({ ...online, entity: "lab", apiKey: writer.key });
    run.log({ ok: 1 });
    await run.finish();
    expect((await server.store.reader.listRuns("lab", "secure")).map((r) => r.id)).toEqual([run.id]);
    // The dashboard's session cookie (HttpOnly, SameSite=Strict) works for reads, never for writes.
    const session = await fetch(`${server.url}/api/v1/session`, { method: "POST", headers: { authorization: `Bearer ${writer.key}` } });
    const cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(session.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict; Path=\/api\//);
    expect((await fetch(`${server.url}/api/v1/runs/lab/secure/${run.id}/files`, { headers: { cookie } })).status).toBe(200);
    const cookieWrite = await fetch(`${server.url}/api/v1/ingest/lab/secure/${run.id}/heartbeat`, { method: "POST", headers: { cookie } });
    expect(cookieWrite.status).toBe(401);
    // A key sees only its entity's projects; a "*" key sees all.
    const other = await server.store.keys.create({ entity: "other", scope: "read" });
    expect(await (await get(server, "/api/v1/projects", other.key)).json()).toEqual([]);
    const projects = (await (await get(server, "/api/v1/projects", reader.key)).json()) as { name: string }[];
    expect(projects.map((p) => p.name)).toEqual(["secure"]);
    // The dashboard's static files carry no data and stay public.
    expect((await get(server, "/")).status).not.toBe(401);
  });

  it("rate-limits per key with 429 and Retry-After", async () => {
    const server = await keyedServer({ rateLimit: 2 });
    const { key } = await server.store.keys.create({ entity: "*", scope: "read" });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await get(server, "/api/v1/projects", key)).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses).toContain(429);
    const limited = await get(server, "/api/v1/projects", key);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("refuses to bind beyond loopback without keys", async () => {
    const attempt = serve({ host: "0.0.0.0", port: 0, dir: tempRoot() });
    expect(await codeOf(attempt)).toBe("INVALID_ARGUMENT");
  });
});
