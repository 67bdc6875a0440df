import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Image, init, runFolder } from "@runlog/core";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { errorBody, rawRequest } from "../test-support/raw-http.js";
import { serverKinds } from "../test-support/server-kinds.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
describe.each(serverKinds())("run files of online runs on a %s server", (kind, start) => {
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
      ((await fetch(`${server.url}/api/v1/runs/lab/media/${run.id}/files`).then((r) => r.json())) as { path: string }[]).map((f) => f.path),
    ).toEqual(
      // Every file of the run on both stores (issue 19): the embedded store lists the run folder,
      // PostgreSQL its file records and its uploads (the media have no file record), each path once.
      [image.path, "notes.txt"],
    );
    if (kind === "PostgreSQL + S3") {
      // The team store's reader itself (the API and `new Api({ baseUrl })` both list through it).
      const view = await server.store.reader.getRun("lab", "media", run.id);
      const listed = (await server.store.reader.files(view as never)).find((file) => file.path === image.path);
      expect([listed?.size, listed?.sha256]).toEqual([local.length, expect.stringMatching(/^[0-9a-f]{64}$/)]);
    }
    // Sent byte for byte (fetch would collapse these before sending): the handler's own refusal, and nothing written.
    const marker = "traversal-marker";
    const refused: [string, string][] = [
      [`../../../../../${marker}`, "PATH_OUTSIDE_ROOT"],
      [`%2e%2e/%2e%2e/%2E%2E/${marker}`, "PATH_OUTSIDE_ROOT"],
      [`..%2f..%2f..%2f${marker}`, "PATH_OUTSIDE_ROOT"],
      [`a/../../../${marker}`, "PATH_OUTSIDE_ROOT"],
      [`/tmp/${marker}`, "PATH_OUTSIDE_ROOT"],
      [`%2Ftmp%2F${marker}`, "PATH_OUTSIDE_ROOT"],
      [`..\\..\\${marker}`, "PATH_OUTSIDE_ROOT"],
      [`%5c..%5c..%5c${marker}`, "PATH_OUTSIDE_ROOT"],
      [`C:%5c${marker}`, "PATH_OUTSIDE_ROOT"],
      [`${marker}%00.png`, "INVALID_ARGUMENT"],
    ];
    for (const [path, code] of refused) {
      const put = await rawRequest(server.url, {
        method: "PUT",
        path: `/api/v1/ingest/lab/media/${run.id}/files/${path}`,
        headers: { "content-type": "application/octet-stream" },
        body: "x",
      });
      expect([path, put.status, errorBody(put)?.code]).toEqual([path, 400, code]);
      const get = await rawRequest(server.url, { path: `/api/v1/runs/lab/media/${run.id}/file/${path}` });
      expect([path, get.status, errorBody(get)?.code]).toEqual([path, 400, code]);
    }
    // Nowhere in the store, nor beside it, and not as a run file either.
    const root = server.store.root ?? server.store.tempDir;
    const written = [...readdirSync(root, { recursive: true }).map(String), ...readdirSync(dirname(root))];
    expect(written.filter((name) => name.includes(marker))).toEqual([]);
    for (const name of [marker, `tmp/${marker}`, `a/${marker}`]) {
      expect((await rawRequest(server.url, { path: `/api/v1/runs/lab/media/${run.id}/file/${name}` })).status).toBe(404);
    }
  });
});
