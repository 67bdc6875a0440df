import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Artifact, init } from "@runlog/core";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { errorBody, type RawRequest, rawRequest } from "./test-support/raw-http.js";
import { seededServer, sha256 } from "./test-support/seeded-server.js";
import { serverKinds } from "./test-support/server-kinds.js";

describe.each(serverKinds())("entity isolation on a %s server", (kind, start) => {
  it("a key reads and writes only its own entity's runs, files, objects and artifacts (GET, HEAD and writes)", async () => {
    const seed = await seededServer(start);
    const { server, keys, runId } = seed;
    const as = (key: string, request: RawRequest) =>
      rawRequest(server.url, { ...request, headers: { authorization: `Bearer ${key}`, ...request.headers } });
    const octet = { "content-type": "application/octet-stream" };
    const json = { "content-type": "application/json" };

    // Same run id in both entities: each keeps its own file, whoever uploaded last.
    for (const [entity, key, text] of [
      ["lab", keys.labRead, seed.notes.lab],
      ["other", keys.otherRead, seed.notes.other],
    ] as const) {
      const file = await as(key, { path: `/api/v1/runs/${entity}/p/${runId}/file/notes.txt` });
      expect([entity, file.status, file.body.toString()]).toEqual([entity, 200, text]);
    }

    // Lab's keys against other's data: every read (GET and HEAD) and write is refused, with a {code, message}.
    const denied: [string, RawRequest][] = [];
    for (const key of [keys.labRead, keys.labWrite]) {
      for (const path of [
        `/api/v1/runs/other/p/${runId}`,
        `/api/v1/runs/other/p/${runId}/history`,
        `/api/v1/runs/other/p/${runId}/files`,
        `/api/v1/runs/other/p/${runId}/file/notes.txt`,
        `/api/v1/runs/other/p/${runId}/artifacts`,
        `/api/v1/runs/other/p/${runId}/lineage`,
        `/api/v1/runs/other/p/${runId}/artifacts/logged`,
        `/api/v1/artifacts/other/p`,
        `/api/v1/artifacts/other/p/lineage?run=${runId}`,
        `/api/v1/runs/other/p/${runId}/events`,
        `/api/v1/projects/other/p/runs`,
        `/api/v1/store/runs/other/p/${runId}/rows`,
        `/api/v1/store/projects/other/p/runs`,
      ]) {
        denied.push([key, { method: "GET", path }], [key, { method: "HEAD", path }]);
      }
    }
    denied.push(
      [keys.labWrite, { method: "PUT", path: `/api/v1/ingest/other/p/${runId}/files/notes.txt`, headers: octet, body: "overwritten" }],
      [keys.labWrite, { method: "POST", path: `/api/v1/ingest/other/p/${runId}/heartbeat` }],
      [keys.labWrite, { method: "POST", path: "/api/v1/artifacts/other/p/data/resolve", headers: json, body: "{}" }],
      [keys.labWrite, { method: "POST", path: "/api/v1/artifacts/other/p/data/upsert", headers: json, body: '{"distributedId":"d"}' }],
      [keys.labWrite, { method: "POST", path: "/api/v1/artifacts/other/p/data/finish", headers: json, body: '{"distributedId":"d"}' }],
    );
    for (const [key, request] of denied) {
      const response = await as(key, request);
      expect([request.method, request.path, response.status]).toEqual([request.method, request.path, 403]);
      if (request.method !== "HEAD") expect(errorBody(response)?.code).toBe("FORBIDDEN");
    }

    // Objects: other's object answers exactly as one that does not exist, to GET and HEAD.
    const absent = sha256("never uploaded");
    for (const key of [keys.labRead, keys.labWrite]) {
      for (const method of ["GET", "HEAD"]) {
        const theirs = await as(key, { method, path: `/api/v1/objects/${seed.objects.other}` });
        const missing = await as(key, { method, path: `/api/v1/objects/${absent}` });
        expect([method, theirs.status, theirs.body.toString()]).toEqual([method, missing.status, missing.body.toString()]);
        expect(theirs.status).toBe(404);
        const own = await as(key, { method, path: `/api/v1/objects/${seed.objects.lab}` });
        expect(own.status).toBe(200);
        if (method === "GET") expect(own.body.toString()).toBe("lab secret");
      }
    }
    // Knowing the hash is not the bytes: an upload must match, and a commit cannot name it.
    const guess = await as(keys.labWrite, {
      method: "PUT",
      path: `/api/v1/objects/${seed.objects.other}`,
      headers: octet,
      body: "a guess",
    });
    expect([guess.status, errorBody(guess)?.code]).toEqual([400, "INVALID_ARGUMENT"]);
    const commit = await as(keys.labWrite, {
      method: "POST",
      path: "/api/v1/artifacts/lab/p/commit",
      headers: json,
      body: JSON.stringify({
        name: "stolen",
        type: "dataset",
        contents: { "x.txt": { digest: "d", size: 12, extra: { sha256: seed.objects.other } } },
      }),
    });
    expect([commit.status, errorBody(commit)?.message]).toEqual([400, expect.stringMatching(/was not uploaded/)]);
    const upsert = await as(keys.labWrite, {
      method: "POST",
      path: "/api/v1/artifacts/lab/p/stolen/upsert",
      headers: json,
      body: JSON.stringify({
        distributedId: "d",
        type: "dataset",
        contents: { "x.txt": { digest: "d", size: 12, extra: { sha256: seed.objects.other } } },
      }),
    });
    expect([upsert.status, errorBody(upsert)?.message]).toEqual([400, expect.stringMatching(/was not uploaded/)]);
    expect((await as(keys.labRead, { method: "HEAD", path: `/api/v1/objects/${seed.objects.other}` })).status).toBe(404);
    const resolved = await as(keys.labWrite, { method: "POST", path: "/api/v1/artifacts/lab/p/stolen/resolve", headers: json, body: "{}" });
    expect(resolved.status).toBe(404);
    // Other's version id through lab's own collection: not found, nothing aliased.
    const otherVersion = (
      await as(keys.otherWrite, { method: "POST", path: "/api/v1/artifacts/other/p/data/resolve", headers: json, body: "{}" })
    ).json() as {
      id: number;
      aliases: string[];
    };
    for (const action of ["aliases", "link"]) {
      const response = await as(keys.labWrite, {
        method: "POST",
        path: `/api/v1/artifacts/lab/p/data/${action}`,
        headers: json,
        body: JSON.stringify({ versionId: otherVersion.id, aliases: ["mine"] }),
      });
      expect([action, response.status]).toEqual([action, 404]);
    }
    const after = (
      await as(keys.otherWrite, { method: "POST", path: "/api/v1/artifacts/other/p/data/resolve", headers: json, body: "{}" })
    ).json();
    expect(after).toMatchObject({ id: otherVersion.id, aliases: otherVersion.aliases });

    // Nothing of other's changed.
    const notes = await as(keys.otherRead, { path: `/api/v1/runs/other/p/${runId}/file/notes.txt` });
    expect(notes.body.toString()).toBe(seed.notes.other);
    // Sending the real bytes proves having them: then lab may read that object too.
    const proof = await as(keys.labWrite, {
      method: "PUT",
      path: `/api/v1/objects/${seed.objects.other}`,
      headers: octet,
      body: "other secret",
    });
    expect(proof.json()).toEqual({ sha256: seed.objects.other, stored: false });
    expect((await as(keys.labRead, { path: `/api/v1/objects/${seed.objects.other}` })).body.toString()).toBe("other secret");

    if (kind === "embedded") await legacyEmbeddedData(seed.server.store.root as string, as, keys, runId);
  }, 120_000);
});

/** Data the server did not write itself (local runs in the same folder, older servers) stays readable, to its own entity only. */
async function legacyEmbeddedData(
  root: string,
  as: (key: string, request: RawRequest) => ReturnType<typeof rawRequest>,
  keys: { labRead: string; otherRead: string },
  sharedId: string,
) {
  const local = await init({ dir: root, entity: "lab", project: "p", id: "solo", settings: QUIET });
  const file = join(tempRoot(), "local.txt");
  writeFileSync(file, "local bytes");
  const artifact = new Artifact("local", "dataset");
  artifact.addFile(file);
  await local.logArtifact(artifact);
  await local.finish();
  expect((await as(keys.labRead, { path: `/api/v1/objects/${sha256("local bytes")}` })).body.toString()).toBe("local bytes");
  expect((await as(keys.otherRead, { method: "HEAD", path: `/api/v1/objects/${sha256("local bytes")}` })).status).toBe(404);

  // Files in runs/<id>/files: served for the one run with that id, for neither when two share it.
  for (const id of ["solo", sharedId]) {
    mkdirSync(join(root, "runs", id, "files"), { recursive: true });
    writeFileSync(join(root, "runs", id, "files", "old.txt"), `old ${id}`);
  }
  const solo = await as(keys.labRead, { path: "/api/v1/runs/lab/p/solo/file/old.txt" });
  expect([solo.status, solo.body.toString()]).toEqual([200, "old solo"]);
  for (const [entity, key] of [
    ["lab", keys.labRead],
    ["other", keys.otherRead],
  ] as const) {
    const shared = await as(key, { path: `/api/v1/runs/${entity}/p/${sharedId}/file/old.txt` });
    expect([entity, shared.status]).toEqual([entity, 404]);
  }
}
