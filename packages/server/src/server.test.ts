import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJson, Html, Image, init, type Run } from "@runlog/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunlogServer, serve } from "./index.js";

// A real store filled by a real run, served over real HTTP on a free loopback port.
let root: string;
let run: Run;
let server: RunlogServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-server-"));
  run = await init({ project: "vision", entity: "team", dir: root, settings: { quiet: true, console: "off", disableStats: true } });
  for (let step = 0; step < 5000; step++) {
    const row: Record<string, unknown> = { "train/loss": step === 3210 ? 1e6 : 1 / (step + 1) };
    if (step % 1000 === 0) row.sample = new Image(new Uint8Array([step % 256, 1, 2]), { shape: [1, 1, 3] });
    run.log(row);
  }
  run.log({ report: new Html("<script>alert(1)</script>") });
  run.summary.set("best", Number.NaN);
  await run.finish();
  server = await serve({ dir: root, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

async function get<Body = Record<string, unknown> & unknown[]>(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { headers });
  return {
    status: response.status,
    headers: response.headers,
    body: decodeJson<Body>(await response.text()),
  };
}

/** A request with the path sent exactly as written (fetch would normalize `..` away). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("read API over HTTP", () => {
  it("binds loopback and lists projects, runs and one run with NaN kept in the summary", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get("/api/v1/projects")).body).toEqual([expect.objectContaining({ entity: "team", name: "vision", runCount: 1 })]);
    const { runs, total } = (await get("/api/v1/projects/team/vision/runs")).body as unknown as { runs: unknown[]; total: number };
    expect(total).toBe(1);
    expect(runs[0]).toMatchObject({ id: run.id, state: "finished" });
    const one = (await get(`/api/v1/runs/team/vision/${run.id}`)).body;
    expect(Number.isNaN((one.summary as Record<string, number>).best)).toBe(true);
    expect((await get(`/api/v1/runs/team/vision/${run.id}/keys`)).body.history).toContain("train/loss");
  });

  it("series: at most `buckets` points, the spike kept, and zoom re-buckets the range", async () => {
    const full = (await get(`/api/v1/runs/team/vision/${run.id}/series?key=train/loss&buckets=100`)).body as unknown as {
      x: number[];
      max: number[];
    };
    expect(full.x.length).toBeLessThanOrEqual(100);
    expect(Math.max(...full.max)).toBe(1e6);
    const zoom = (await get(`/api/v1/runs/team/vision/${run.id}/series?key=train/loss&buckets=50&from=3000&to=3500`)).body as unknown as {
      x: number[];
      max: number[];
    };
    expect(zoom.x.every((x) => x >= 3000 && x <= 3500)).toBe(true);
    expect(zoom.max).toContain(1e6);
  });

  it("one step's media: a history page for one key at one step, then the PNG itself", async () => {
    const rows = (
      await get<{ sample: { path: string } }[]>(`/api/v1/runs/team/vision/${run.id}/history?keys=sample&minStep=2000&maxStep=2000`)
    ).body;
    expect(rows).toHaveLength(1);
    const response = await fetch(`${server.url}/api/v1/runs/team/vision/${run.id}/file/${rows[0]?.sample.path}`);
    expect(response.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
  });

  it("logged HTML is served as a nosniff download, never as a page on this origin", async () => {
    const [row] = (await get<{ report: { path: string } }[]>(`/api/v1/runs/team/vision/${run.id}/history?keys=report`)).body;
    const response = await fetch(`${server.url}/api/v1/runs/team/vision/${run.id}/file/${row?.report.path}`);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toBe("attachment");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("hostile and malformed requests get a clear code, never a file outside the run or a 500", async () => {
    for (const path of ["../../runlog.db", "%2e%2e/%2e%2e/runlog.db", "..%2f..%2frunlog.db", "%00"]) {
      const response = await rawGet(`/api/v1/runs/team/vision/${run.id}/file/${path}`);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
      expect(response.body).not.toContain("SQLite format");
    }
    expect(await get(`/api/v1/runs/team/vision/${run.id}/file/media/none.png`)).toMatchObject({
      status: 404,
      body: { code: "FILE_NOT_FOUND" },
    });
    expect(await get(`/api/v1/runs/team/vision/${run.id}/series?key=train/loss&buckets=abc`)).toMatchObject({
      status: 400,
      body: { code: "INVALID_ARGUMENT" },
    });
    expect(await get(`/api/v1/runs/team/vision/${run.id}/series?key=train/loss&buckets=1000000`)).toMatchObject({
      status: 400,
      body: { code: "INVALID_ARGUMENT" },
    });
    expect(await get(`/api/v1/runs/team/vision/${run.id}/series`)).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/key is required/) },
    });
    expect(await get(`/api/v1/runs/team/vision/${run.id}/history?limit=-1`)).toMatchObject({
      status: 400,
      body: { code: "INVALID_ARGUMENT" },
    });
    expect(await get("/api/v1/runs/team/vision/nosuchrun")).toMatchObject({ status: 404, body: { code: "RUN_NOT_FOUND" } });
    expect(await get("/api/v1/runs/team/vision/bad%20id!")).toMatchObject({ status: 400 });
    expect((await rawGet(`/api/v1/runs/team/vision/${"x".repeat(10_000)}`)).status).toBeLessThan(500);
    expect((await get("/api/v1/nowhere")).status).toBe(404);
  });
});

describe("API key on a non-loopback bind", () => {
  it("refuses to start without a key, and with one answers 401 until the key is sent", async () => {
    await expect(serve({ dir: root, host: "0.0.0.0", port: 0, apiKey: "" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const key = "k".repeat(32);
    const open = await serve({ dir: root, host: "0.0.0.0", port: 0, apiKey: key });
    try {
      const port = new URL(open.url).port;
      const without = await fetch(`http://127.0.0.1:${port}/api/v1/projects`);
      expect(without.status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
