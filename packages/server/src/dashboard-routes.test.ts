import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Artifact, decodeJson, init, type Run, runFolder } from "@runlog/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunlogServer, serve } from "./index.js";

// The routes the dashboard uses, over a real store with real runs and a real HTTP server.
const QUIET = { quiet: true, console: "off", disableStats: true } as const;
let root: string;
let server: RunlogServer;
const runs: Run[] = [];
let producer: Run;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "runlog-dashboard-routes-"));
  for (let i = 0; i < 12; i++) {
    const run = await init({
      project: "sweep",
      entity: "team",
      dir: root,
      name: `run-${String(i).padStart(2, "0")}`,
      group: i % 3 === 0 ? "a" : "b",
      tags: i === 5 ? ["special"] : [],
      config: { lr: 10 ** -(i % 4), model: { depth: i % 2 === 0 ? 18 : 50 } },
      reinit: "create_new",
      settings: QUIET,
    });
    for (let step = 0; step <= 100 * (i + 1); step++) run.log({ loss: 1 / (step + 1) });
    run.summary.set("acc", i / 10);
    await run.finish();
    runs.push(run);
  }
  producer = await init({ project: "sweep", entity: "team", dir: root, name: "producer", reinit: "create_new", settings: QUIET });
  const file = join(root, "weights.bin");
  writeFileSync(file, "weights");
  const model = new Artifact("net", "model");
  await model.addFile(file);
  await producer.logArtifact(model);
  await producer.alert({ title: "diverged", text: "loss is NaN", level: "ERROR" });
  await producer.finish();
  const consumer = await init({ project: "sweep", entity: "team", dir: root, name: "consumer", reinit: "create_new", settings: QUIET });
  await consumer.useArtifact("net:latest");
  await consumer.finish();
  server = await serve({ dir: root, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

async function get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${server.url}${path}`);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text.startsWith("{") || text.startsWith("[") ? decodeJson(text) : text) as T,
  };
}

function rawGet(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.url);
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

interface Page {
  total: number;
  runs: { name: string; id: string; group?: string }[];
  configKeys: string[];
  summaryKeys: string[];
  groups?: { value: string; count: number }[];
}
const page = (query: string) => get<Page>(`/api/v1/projects/team/sweep/runs?${query}`);

describe("runs table API", () => {
  it("filters, searches, sorts and pages on the server, and lists the column keys", async () => {
    const all = (await page("")).body;
    expect(all.total).toBe(14);
    expect(all.configKeys).toEqual(["config.lr", "config.model.depth"]);
    expect(all.summaryKeys).toContain("summary.acc");
    expect(all.summaryKeys.some((key) => key.startsWith("summary._"))).toBe(false);

    const filtered = (await page(`filters=${encodeURIComponent(JSON.stringify({ "config.model.depth": 50 }))}&order=-summary.acc&limit=2`))
      .body;
    expect(filtered.total).toBe(6);
    expect(filtered.runs.map((run) => run.name)).toEqual(["run-11", "run-09"]);
    const second = (
      await page(`filters=${encodeURIComponent(JSON.stringify({ "config.model.depth": 50 }))}&order=-summary.acc&limit=2&offset=2`)
    ).body;
    expect(second.runs.map((run) => run.name)).toEqual(["run-07", "run-05"]);

    expect((await page("search=SPECIAL")).body.runs.map((run) => run.name)).toEqual(["run-05"]);
    expect((await page("search=run-1&order=%2Bname")).body.runs.map((run) => run.name)).toEqual(["run-10", "run-11"]);
  });

  it("groups contiguously with a count per group", async () => {
    const grouped = (await page("groupBy=group&order=%2Bname")).body;
    expect(grouped.groups).toEqual([
      { value: "", count: 2 }, // consumer and producer sort first by name
      { value: "a", count: 4 },
      { value: "b", count: 8 },
    ]);
    expect(grouped.runs.slice(2, 6).map((run) => run.group)).toEqual(["a", "a", "a", "a"]);
  });

  it("answers malformed queries with 400 and a code", async () => {
    for (const query of [
      "filters=%7Bnot-json",
      "filters=%5B1%5D",
      "limit=0",
      "limit=5000",
      "offset=-1",
      "limit=abc",
      `filters=${encodeURIComponent('{"x":{"$where":1}}')}`,
      `filters=${encodeURIComponent('{"name":{"$regex":"(a+)+$"}}')}`, // would backtrack for ages
      `filters=${encodeURIComponent('{"name":{"$regex":"(unclosed"}}')}`,
      `filters=${encodeURIComponent(JSON.stringify({ name: { $regex: "a".repeat(201) } }))}`,
    ]) {
      const { status, body } = await page(query);
      expect(status, query).toBe(400);
      expect(body, query).toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    expect((await get("/api/v1/projects/team/nope/runs")).body).toMatchObject({ total: 0, runs: [] });
  });
});

describe("compare series", () => {
  it("buckets many runs' key in one request over the same range", async () => {
    const ids = runs.slice(0, 3).map((run) => run.id);
    const { body } = await get<Record<string, { x: number[]; last: number[] }>>(
      `/api/v1/projects/team/sweep/series?key=loss&runs=${ids.join(",")}&buckets=10&from=0&to=300`,
    );
    expect(Object.keys(body)).toEqual(ids);
    expect(body[ids[0] as string]?.x.at(-1)).toBe(100); // run-00 stops at step 100
    expect(body[ids[2] as string]?.x.at(-1)).toBe(300);
    expect((await get("/api/v1/projects/team/sweep/series?key=loss&runs=")).status).toBe(400);
    expect((await get(`/api/v1/projects/team/sweep/series?key=loss&runs=${new Array(201).fill(ids[0]).join(",")}`)).status).toBe(400);
    expect((await get(`/api/v1/projects/team/sweep/series?key=loss&runs=${ids[0]},nosuchrun`)).status).toBe(404);
  });
});

describe("many runs' keys", () => {
  it("answers every run's history and system keys in one request, and refuses hostile run lists", async () => {
    const ids = [runs[0]?.id, producer.id] as string[];
    const { status, body } = await get<Record<string, { history: string[]; system: string[] }>>(
      `/api/v1/projects/team/sweep/keys?runs=${ids.join(",")}`,
    );
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(ids);
    expect(body[ids[0] as string]?.history).toContain("loss");
    expect(body[producer.id]?.history).not.toContain("loss");
    const hostile = [
      "",
      "runs=",
      `runs=${ids[0]},${ids[0]}`,
      `runs=${ids[0]},`,
      `runs=${encodeURIComponent(`${ids[0]}/../x`)}`,
      `runs=${new Array(201)
        .fill(0)
        .map((_, i) => `r${i}`)
        .join(",")}`,
    ];
    for (const query of hostile) {
      const answer = await get<{ code: string }>(`/api/v1/projects/team/sweep/keys?${query}`);
      expect([query, answer.status, answer.body.code]).toEqual([query, 400, "INVALID_ARGUMENT"]);
    }
    expect((await get(`/api/v1/projects/team/sweep/keys?runs=${ids[0]},nosuchrun`)).status).toBe(404);
  });
});

describe("artifacts, lineage, alerts and file tails", () => {
  it("lists a run's artifacts and the lineage graph around it", async () => {
    const artifacts = (
      await get<{ logged: { qualifiedName: string; fileCount: number }[]; used: unknown[] }>(
        `/api/v1/runs/team/sweep/${producer.id}/artifacts`,
      )
    ).body;
    expect(artifacts.logged).toMatchObject([{ qualifiedName: "team/sweep/net:v0", fileCount: 1 }]);
    expect(artifacts.used).toEqual([]);
    const lineage = (await get<{ runs: string[]; edges: { from: string; to: string }[] }>(`/api/v1/runs/team/sweep/${producer.id}/lineage`))
      .body;
    expect(lineage.runs).toHaveLength(2);
    expect(lineage.edges).toHaveLength(2);
    expect((await get("/api/v1/runs/team/sweep/nosuchrun/lineage")).status).toBe(404);
  });

  it("lists alerts and sends a file from a byte offset", async () => {
    expect((await get(`/api/v1/runs/team/sweep/${producer.id}/alerts`)).body).toMatchObject([{ title: "diverged", level: "ERROR" }]);
    const path = join(runFolder(root, producer), "files", "notes.txt");
    writeFileSync(path, "hello world");
    const tail = await get(`/api/v1/runs/team/sweep/${producer.id}/file/notes.txt?offset=6`);
    expect(tail.body).toBe("world");
    expect(tail.headers.get("x-file-size")).toBe("11");
    expect((await get(`/api/v1/runs/team/sweep/${producer.id}/file/notes.txt?offset=99`)).body).toBe("");
    expect((await get(`/api/v1/runs/team/sweep/${producer.id}/file/notes.txt?offset=-1`)).status).toBe(400);
  });
});

describe("the dashboard's static files", () => {
  it("serves the app with a strict CSP and never a file outside its folder", async () => {
    const index = await get<string>("/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-security-policy")).toMatch(/script-src 'self'.*object-src 'none'/);
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect((await get(`/${script}`)).headers.get("content-type")).toMatch(/javascript/);
    for (const path of [
      "/../package.json",
      "/%2e%2e/package.json",
      "/assets/..%2f..%2fpackage.json",
      "/%2e%2e%2f%2e%2e%2findex.js",
      "/nope.js",
    ]) {
      expect(await rawGet(path), path).toBe(404);
    }
    const api404 = await get("/api/v1/nothing-here");
    expect(api404.status).toBe(404);
    expect(api404.body).toMatchObject({ code: "NOT_FOUND" });
  });

  it("says how to build the app when it is missing", async () => {
    const empty = mkdtempSync(join(tmpdir(), "runlog-noapp-"));
    const bare = await serve({ dir: root, port: 0, appDir: empty });
    try {
      const response = await fetch(`${bare.url}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toMatch(/npm run build/);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
