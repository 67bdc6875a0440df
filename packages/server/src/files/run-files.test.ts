import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Image, init, runFolder } from "@runlog/core";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../../../core/src/test-support/temp-root.js";
import { serverKinds } from "../test-support/server-kinds.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
describe.each(serverKinds())("run files of online runs on a %s server", (_name, start) => {
  it("uploads logged media and saved files, serves them back, and refuses traversal", async () => {
    const server = await start();
    const dir = tempRoot();
    const run = await init({ dir, mode: "online", baseUrl: server.url, project: "media", entity: "lab", settings: QUIET });
    const pixels = Array.from({ length: 8 }, (_, y) => Array.from({ length: 8 }, (_, x) => [x * 30, y * 30, (x * y) % 256]));
    run.log({ sample: new Image(pixels, { caption: "gradient" }) });
    const notes = join(tempRoot(), "notes.txt");
    writeFileSync(notes, "remember the learning rate");
    run.save(notes, { basePath: join(notes, "..") });
    // A logged dict that looks like a media reference: never read from outside the run's folder.
    run.log({ looks: { path: "../../../../etc/passwd", sha256: "0".repeat(64) } });
    await run.finish();

    const rows = await server.store.reader.historyRows((await server.store.reader.getRun("lab", "media", run.id)) as never, 0, 10);
    const image = rows[0]?.[1].sample as { path: string };
    const local = readFileSync(join(runFolder(dir, run), "files", ...image.path.split("/")));
    const served = await fetch(`${server.url}/api/v1/runs/lab/media/${run.id}/file/${image.path}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(local)).toBe(true);
    const saved = await fetch(`${server.url}/api/v1/runs/lab/media/${run.id}/file/notes.txt?offset=13`);
    expect(await saved.text()).toBe("learning rate");

    expect((await server.store.reader.getRun("lab", "media", run.id))?.state).toBe("finished");
    expect(
      (await fetch(`${server.url}/api/v1/runs/lab/media/${run.id}/files`).then((r) => r.json())).map((f: { path: string }) => f.path),
    ).toEqual(["notes.txt"]);
    for (const path of ["../../../etc/passwd", "%2e%2e/%2e%2e/x", "/abs"]) {
      const put = await fetch(`${server.url}/api/v1/ingest/lab/media/${run.id}/files/${path}`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: "x",
      });
      expect(put.status).toBeGreaterThanOrEqual(400);
      expect(put.status).toBeLessThan(500);
    }
  });
});
