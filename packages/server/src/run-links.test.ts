import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { init } from "@runlog/core";
import { afterEach, describe, expect, it } from "vitest";
import { type RunlogServer, serve } from "./index.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw GET with the exact path (fetch would normalise it), without following redirects. */
function get(server: RunlogServer, path: string): Promise<{ status: number; location: string | undefined; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function start(): Promise<{ server: RunlogServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "runlog-links-"));
  const app = join(dir, "app");
  mkdirSync(join(app, "assets"), { recursive: true });
  writeFileSync(join(app, "index.html"), '<div id="app"></div>');
  writeFileSync(join(app, "assets", "index-abc.js"), "export {};");
  const server = await serve({ dir: join(dir, "runlog"), port: 0, appDir: app });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => server.close());
  return { server, dir };
}

describe("run.url, projectUrl and sweepUrl open the dashboard's views", () => {
  it("a real run's url and projectUrl redirect to its run page and its project's workspace", async () => {
    const { server, dir } = await start();
    process.env.RUNLOG_UI_URL = server.url;
    cleanups.push(() => {
      delete process.env.RUNLOG_UI_URL;
    });
    const run = await init({
      dir: join(dir, "runlog"),
      entity: "team",
      project: "vision net",
      settings: { quiet: true, console: "off", disableStats: true },
    });
    run.log({ loss: 1 });
    await run.finish();
    expect(run.url).toBe(`${server.url}/team/vision%20net/runs/${run.id}`);
    const runPage = await get(server, new URL(run.url as string).pathname);
    expect(runPage).toMatchObject({ status: 302, location: `/#/r/team/vision%20net/${run.id}` });
    const projectPage = await get(server, new URL(run.projectUrl as string).pathname);
    expect(projectPage).toMatchObject({ status: 302, location: "/#/w/team/vision%20net" });
  });

  it("sweeps land on the sweep page; a trailing slash is the same page", async () => {
    const { server } = await start();
    expect(await get(server, "/team/vision/sweeps/sw1")).toMatchObject({ status: 302, location: "/#/s/team/vision/sw1" });
    expect((await get(server, "/team/vision%20net/sweeps/s%201")).location).toBe("/#/s/team/vision%20net/s%201");
    expect((await get(server, "/team/vision/")).location).toBe("/#/w/team/vision");
  });

  it("leaves the app's files, the API and anything else alone", async () => {
    const { server } = await start();
    expect(await get(server, "/assets/index-abc.js")).toMatchObject({ status: 200, body: "export {};" });
    expect((await get(server, "/api/v1/projects")).status).toBe(200);
    expect((await get(server, "/api/v1")).location).toBeUndefined();
    expect((await get(server, "/")).status).toBe(200);
    for (const path of ["/../etc", "/a/%2e%2e", "/team/vision/runs", "/team/vision/other/x", "/a/%E0%A4%A"]) {
      expect((await get(server, path)).location, path).toBeUndefined();
    }
  });
});
