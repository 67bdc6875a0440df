import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { seededServer } from "../test-support/seeded-server.js";
import { serverKinds } from "../test-support/server-kinds.js";

const json = { "content-type": "application/json" };

describe.each(serverKinds())("saved workspace layouts on a %s server", (kind, start) => {
  it("saves a project's layout with a write key, reads it back with a read key, and keeps entities apart", async () => {
    const { server, keys } = await seededServer(start);
    const as = (key: string, method: "GET" | "PUT", path: string, body?: unknown) =>
      rawRequest(server.url, {
        method,
        path,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : json) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const lab = "/api/v1/projects/lab/p/workspace";
    const empty = await as(keys.labRead, "GET", lab);
    expect([empty.status, JSON.parse(empty.body.toString())]).toEqual([200, { layout: null }]);

    const layout = { n: "20", x: "epoch/epoch", smooth: "ema:0.6", vis: "a,b", "px.train/loss": "_runtime" };
    const saved = await as(keys.labWrite, "PUT", lab, { layout });
    expect(saved.status).toBe(200);
    const read = JSON.parse((await as(keys.labRead, "GET", lab)).body.toString());
    expect(read.layout).toEqual(layout);
    expect(read.updatedAt).toBeGreaterThan(Date.now() / 1000 - 60);

    // A read key cannot save; another entity's keys neither read nor write lab's layout.
    expect((await as(keys.labRead, "PUT", lab, { layout: {} })).status).toBe(403);
    expect((await as(keys.otherRead, "GET", lab)).status).toBe(403);
    expect((await as(keys.otherWrite, "PUT", lab, { layout: { n: "5" } })).status).toBe(403);
    expect(JSON.parse((await as(keys.labRead, "GET", lab)).body.toString()).layout).toEqual(layout);
    // The same project name in another entity is another layout.
    const other = JSON.parse((await as(keys.otherRead, "GET", "/api/v1/projects/other/p/workspace")).body.toString());
    expect(other).toEqual({ layout: null });

    // Saving again replaces the layout as a whole.
    await as(keys.labWrite, "PUT", lab, { layout: { n: "5" } });
    expect(JSON.parse((await as(keys.labRead, "GET", lab)).body.toString()).layout).toEqual({ n: "5" });
  });

  it("refuses malformed, hostile and oversized layouts with INVALID_ARGUMENT and keeps the saved one", async () => {
    const { server, keys } = await seededServer(start);
    const put = (body: string) =>
      rawRequest(server.url, {
        method: "PUT",
        path: "/api/v1/projects/lab/p/workspace",
        headers: { authorization: `Bearer ${keys.labWrite}`, ...json },
        body,
      });
    expect((await put(JSON.stringify({ layout: { n: "10" } }))).status).toBe(200);
    const refused = [
      "[]",
      "null",
      JSON.stringify({ layout: [] }),
      JSON.stringify({ layout: "n=10" }),
      JSON.stringify({ layout: { n: 10 } }),
      JSON.stringify({ layout: { "../../etc": "x" } }),
      JSON.stringify({ layout: { "": "x" } }),
      JSON.stringify({ layout: { ["k".repeat(200)]: "x" } }),
      JSON.stringify({ layout: { n: "x".repeat(20_000) } }),
      JSON.stringify({ layout: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) }),
    ];
    for (const body of refused) {
      const answer = await put(body);
      expect([body.slice(0, 40), answer.status, errorBody(answer)?.code]).toEqual([body.slice(0, 40), 400, "INVALID_ARGUMENT"]);
    }
    const read = await rawRequest(server.url, {
      path: "/api/v1/projects/lab/p/workspace",
      headers: { authorization: `Bearer ${keys.labRead}` },
    });
    expect(JSON.parse(read.body.toString()).layout).toEqual({ n: "10" });
    if (kind === "embedded") {
      // Names from clients never become paths: one file, named by a hash.
      const files = readdirSync(join(server.store.root as string, "server", "workspaces"));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^[0-9a-f]{64}\.json$/);
    }
  });

  it("keeps every layout when many clients save at once (each save whole, the last one wins)", async () => {
    const { server, keys } = await seededServer(start);
    const path = "/api/v1/projects/lab/p/workspace";
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        rawRequest(server.url, {
          method: "PUT",
          path,
          headers: { authorization: `Bearer ${keys.labWrite}`, ...json },
          body: JSON.stringify({ layout: { n: String(i), vis: `run-${i}` } }),
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const { layout } = JSON.parse(
      (await rawRequest(server.url, { path, headers: { authorization: `Bearer ${keys.labRead}` } })).body.toString(),
    );
    // Never a mix of two saves.
    expect(layout.vis).toBe(`run-${layout.n}`);
  });
});
