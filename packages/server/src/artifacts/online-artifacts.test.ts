import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Api, Artifact, init } from "@runlog/core";
import { IngestClient, uploadRunDir } from "@runlog/core/store-kit";
import { versionIdOf } from "@runlog/test-support/artifact-ids";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { seededServer, sha256 } from "../test-support/seeded-server.js";
import { serverKinds } from "../test-support/server-kinds.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
describe.each(serverKinds())("artifacts of online runs on a %s server", (_name, start) => {
  it("reports an upload of ONE large file by bytes sent, so a progress bar moves during it", async () => {
    const server = await start();
    const run = await init({ mode: "online", baseUrl: server.url, project: "vision", entity: "lab", settings: QUIET, dir: tempRoot() });
    const size = 24 * 1024 * 1024 + 7;
    const file = join(tempRoot(), "weights.bin");
    const content = randomBytes(size);
    writeFileSync(file, content);
    const reports: { filesDone: number; bytesDone: number; bytesTotal?: number }[] = [];
    const logged = await run.logArtifact(file, { name: "big-weights", type: "model", onProgress: (p) => reports.push(p) });
    await run.finish();
    const during = reports.filter((p) => p.filesDone === 0);
    expect(during.length).toBeGreaterThanOrEqual(5); // at least every 4 MiB of the 24 sent
    const bytes = reports.map((p) => p.bytesDone);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(reports.every((p) => p.bytesTotal === size && p.bytesDone <= size)).toBe(true);
    expect(reports.at(-1)).toMatchObject({ filesDone: 1, bytesDone: size });
    // The streamed upload arrives whole (the server checks its SHA-256 against the name too).
    const api = new Api({ baseUrl: server.url });
    const root = await (await api.artifact(`lab/vision/big-weights:${logged.version}`)).download({ root: join(tempRoot(), "out") });
    expect(readFileSync(join(root, "weights.bin")).equals(content)).toBe(true);
    // Logged again: found on the server, counted at once, nothing sent.
    const again = await init({ mode: "online", baseUrl: server.url, project: "vision", entity: "lab", settings: QUIET, dir: tempRoot() });
    const second: { filesDone: number; bytesDone: number }[] = [];
    await again.logArtifact(file, { name: "big-weights", type: "model", onProgress: (p) => second.push(p) });
    await again.finish();
    expect(second).toEqual([{ filesDone: 1, filesTotal: 1, bytesDone: size, bytesTotal: size }]);
  });

  it("logs, dedupes, uses, aliases, links into the registry, downloads exactly, and shows lineage", async () => {
    const server = await start();
    const online = { mode: "online", baseUrl: server.url, project: "vision", entity: "lab", settings: QUIET } as const;
    const folder = join(tempRoot(), "dataset");
    mkdirSync(join(folder, "images"), { recursive: true });
    const big = randomBytes(6 * 1024 * 1024);
    writeFileSync(join(folder, "images", "big.bin"), big);
    writeFileSync(join(folder, "labels.csv"), "id,label\n1,cat\n");

    const producer = await init({ ...online, dir: tempRoot() });
    const dataset = new Artifact("faces", "dataset", { metadata: { rows: 1 } });
    dataset.addDir(folder);
    const logged = await producer.logArtifact(dataset, { aliases: ["best"] });
    expect(logged.version).toBe("v0");
    const again = new Artifact("faces", "dataset");
    again.addDir(folder);
    expect((await producer.logArtifact(again)).version).toBe("v0");
    const model = join(tempRoot(), "model.bin");
    writeFileSync(model, "weights");
    const linked = await producer.linkModel(model, "face-detector", { aliases: ["staging"] });
    expect(linked?.aliases).toEqual(expect.arrayContaining(["latest", "staging"]));
    await producer.finish();

    const consumer = await init({ ...online, dir: tempRoot() });
    const used = await consumer.useArtifact("faces:best", { aliases: ["reviewed"] });
    expect(used.aliases).toEqual(expect.arrayContaining(["best", "latest", "reviewed"]));
    const root = await used.download({ root: join(tempRoot(), "out") });
    expect(readFileSync(join(root, "images", "big.bin")).equals(big)).toBe(true);
    expect(readFileSync(join(root, "labels.csv"), "utf8")).toBe("id,label\n1,cat\n");
    const weights = await consumer.useModel("lab/model-registry/face-detector:staging");
    expect(readFileSync(weights, "utf8")).toBe("weights");
    await consumer.finish();

    // The dashboard's view: what each run logged and used, and the lineage graph between them.
    const json = async (path: string) => (await fetch(`${server.url}/api/v1/runs/lab/vision/${path}`)).json();
    const produced = (await json(`${producer.id}/artifacts`)) as { logged: { qualifiedName: string }[] };
    expect(produced.logged.map((a) => a.qualifiedName)).toEqual(expect.arrayContaining(["lab/vision/faces:v0"]));
    // Used through the registry, the model is recorded as the version it links to.
    const consumed = (await json(`${consumer.id}/artifacts`)) as { used: { name: string; type: string }[] };
    expect(consumed.used.map((a) => [a.name.startsWith("run-") ? "model-file" : a.name, a.type]).sort()).toEqual([
      ["faces", "dataset"],
      ["model-file", "model"],
    ]);
    const graph = (await json(`${consumer.id}/lineage`)) as { runs: string[]; edges: { from: string; to: string }[] };
    expect(graph.runs).toEqual(expect.arrayContaining([`lab/vision/${producer.id}`, `lab/vision/${consumer.id}`]));
    expect(graph.edges).toContainEqual({ from: `run:lab/vision/${producer.id}`, to: `artifact:${versionIdOf(logged)}` });
  });

  it("refuses a mislabelled object, a commit of content never uploaded, and another entity's version", async () => {
    const server = await start();
    const sha = "a".repeat(64);
    const put = await fetch(`${server.url}/api/v1/objects/${sha}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: "not that",
    });
    expect(put.status).toBe(400);
    expect((await fetch(`${server.url}/api/v1/objects/${sha}`, { method: "HEAD" })).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/objects/..%2f..%2fetc%2fpasswd`)).status).toBe(400);
    const commit = (entity: string, body: object) =>
      fetch(`${server.url}/api/v1/artifacts/${entity}/p/commit`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const missing = await commit("lab", {
      name: "x",
      type: "dataset",
      contents: { "a.txt": { digest: "d", size: 1, extra: { sha256: sha } } },
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/was not uploaded/);
    expect(
      (await commit("lab", { name: "x", type: "dataset", contents: { "../up": { digest: "d", size: 1, ref: "s3://b/k" } } })).status,
    ).toBe(400);
    const ok = await commit("lab", { name: "x", type: "dataset", contents: { "a.txt": { digest: "d", size: 1, ref: "s3://b/k" } } });
    const { version } = (await ok.json()) as { version: { id: number } };
    const stolen = await fetch(`${server.url}/api/v1/artifacts/other/p/mine/link`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ versionId: version.id }),
    });
    expect(stolen.status).toBe(404);
  });

  it("builds one version from runs upserting at once (distributedId), seals it at finish, and refuses hostile upserts", async () => {
    const { server, keys } = await seededServer(start);
    const runs = await Promise.all(
      [0, 1, 2].map(() =>
        init({
          mode: "online",
          baseUrl: server.url,
          apiKey: keys.labWrite,
          entity: "lab",
          project: "p",
          group: "g7",
          dir: tempRoot(),
          settings: QUIET,
          reinit: "create_new",
        }),
      ),
    );
    const work = tempRoot();
    const expected: Record<string, string> = {};
    // Every run upserts several files at once (the group is the distributed id); none may be lost.
    await Promise.all(
      runs.flatMap((run, r) =>
        [0, 1, 2, 3].map(async (f) => {
          const file = join(work, `r${r}-f${f}.txt`);
          writeFileSync(file, `run ${r} file ${f}`);
          expected[`shard-${r}/part-${f}.txt`] = `run ${r} file ${f}`;
          const part = new Artifact("sharded", "dataset");
          part.addFile(file, { name: `shard-${r}/part-${f}.txt` });
          await run.upsertArtifact(part);
        }),
      ),
    );
    const last = join(work, "index.json");
    writeFileSync(last, "{}");
    expected["index.json"] = "{}";
    const closing = new Artifact("sharded", "dataset", { metadata: { shards: 3 } });
    closing.addFile(last);
    const sealed = await (runs[0] as (typeof runs)[0]).finishArtifact(closing, { aliases: ["complete"] });
    expect([sealed.version, sealed.metadata, [...sealed.aliases].sort()]).toEqual(["v0", { shards: 3 }, ["complete", "latest"]]);
    expect(Object.keys(sealed.manifest.contents).sort()).toEqual(Object.keys(expected).sort());
    const root = await sealed.download({ root: join(tempRoot(), "sealed") });
    for (const [path, text] of Object.entries(expected)) expect(readFileSync(join(root, path), "utf8")).toBe(text);
    // The draft is consumed: finishing again has nothing to commit, and the server says so.
    await expect((runs[1] as (typeof runs)[0]).finishArtifact(new Artifact("sharded", "dataset"))).rejects.toMatchObject({
      code: "SERVER_REJECTED",
      message: expect.stringMatching(/nothing was upserted/),
    });
    // A second round with the same id makes v1 of only its own files.
    const again = new Artifact("sharded", "dataset");
    again.addFile(last);
    await (runs[2] as (typeof runs)[0]).upsertArtifact(again, { distributedId: "g7" });
    expect(Object.keys((await (runs[2] as (typeof runs)[0]).finishArtifact(new Artifact("sharded", "dataset"))).manifest.contents)).toEqual(
      ["index.json"],
    );
    for (const run of runs) await run.finish();

    const post = (path: string, key: string, body: unknown) =>
      fetch(`${server.url}/api/v1/artifacts/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
    const labObject = { "a.txt": { digest: "d", size: 10, extra: { sha256: sha256("lab secret") } } };
    // Another entity's key: refused on lab's routes, and lab's object cannot be named from its own.
    expect((await post("lab/p/sharded/upsert", keys.otherWrite, { distributedId: "x", type: "dataset", contents: labObject })).status).toBe(
      403,
    );
    const named = await post("other/p/sharded/upsert", keys.otherWrite, { distributedId: "x", type: "dataset", contents: labObject });
    expect([named.status, ((await named.json()) as { code: string }).code]).toEqual([400, "INVALID_ARGUMENT"]);
    expect((await post("lab/p/sharded/upsert", keys.labRead, { distributedId: "x", type: "dataset", contents: labObject })).status).toBe(
      403,
    );
    for (const body of [
      { distributedId: "", type: "dataset", contents: labObject },
      { distributedId: "x".repeat(300), type: "dataset", contents: labObject },
      { distributedId: 5, type: "dataset", contents: labObject },
      { distributedId: "x", type: "dataset", contents: { "../up.txt": labObject["a.txt"] } },
      { distributedId: "x", type: "dataset", contents: {} },
    ]) {
      const answer = await post("lab/p/sharded/upsert", keys.labWrite, body);
      expect([answer.status, ((await answer.json()) as { code: string }).code]).toEqual([400, "INVALID_ARGUMENT"]);
    }
    expect(
      (await post("lab/p/bad%20name/upsert", keys.labWrite, { distributedId: "x", type: "dataset", contents: labObject })).status,
    ).toBe(400);
    // A draft keeps one type: a second upsert of another type is refused, and nothing of it is kept.
    expect((await post("lab/p/typed/upsert", keys.labWrite, { distributedId: "t", type: "dataset", contents: labObject })).status).toBe(
      200,
    );
    expect((await post("lab/p/typed/upsert", keys.labWrite, { distributedId: "t", type: "model", contents: labObject })).status).toBe(400);
    const typed = await post("lab/p/typed/finish", keys.labWrite, { distributedId: "t", type: "dataset" });
    expect(((await typed.json()) as { version: { fileCount: number; type: string } }).version).toMatchObject({
      fileCount: 1,
      type: "dataset",
    });
  });

  it("reads collections, types, a run's logged and used artifacts and lineage through new Api({ baseUrl }), each entity only its own", async () => {
    const { server, keys, runId } = await seededServer(start);
    const consumer = await init({
      mode: "online",
      baseUrl: server.url,
      apiKey: keys.labWrite,
      entity: "lab",
      project: "p",
      dir: tempRoot(),
      settings: QUIET,
    });
    await consumer.useArtifact("data:latest");
    const model = join(tempRoot(), "model.bin");
    writeFileSync(model, "weights");
    const logged = await consumer.logModel(model, { name: "clf" });
    await consumer.finish();

    const api = new Api({ baseUrl: server.url, apiKey: keys.labRead });
    expect(await api.artifactCollections("lab/p")).toEqual([
      { name: "clf", type: "model", kind: "sequence", versions: 1 },
      { name: "data", type: "dataset", kind: "sequence", versions: 1 },
    ]);
    expect(await api.artifactCollections("lab/p", { type: "model" })).toEqual([
      { name: "clf", type: "model", kind: "sequence", versions: 1 },
    ]);
    expect(await api.artifactCollection("lab/p/data")).toEqual({
      entity: "lab",
      project: "p",
      name: "data",
      type: "dataset",
      kind: "sequence",
      versions: 1,
    });
    expect([
      await api.artifactExists("lab/p/data:latest"),
      await api.artifactExists("lab/p/data:v1"),
      await api.artifactCollectionExists("lab/p/clf"),
    ]).toEqual([true, false, true]);
    expect(await api.artifactTypes("lab/p")).toEqual([
      { name: "dataset", collections: ["data"] },
      { name: "model", collections: ["clf"] },
    ]);
    const producer = await api.run(`lab/p/${runId}`);
    const [data] = await producer.loggedArtifacts();
    expect([data?.qualifiedName, await producer.usedArtifacts()]).toEqual(["lab/p/data:v0", []]);
    const reader = await api.run(`lab/p/${consumer.id}`);
    expect((await reader.usedArtifacts()).map((a) => a.qualifiedName)).toEqual(["lab/p/data:v0"]);
    expect((await reader.loggedArtifacts()).map((a) => [a.qualifiedName, a.digest])).toEqual([["lab/p/clf:v0", logged.digest]]);
    const root = await (data as Artifact).download({ root: join(tempRoot(), "data") });
    expect(readFileSync(join(root, "secret.txt"), "utf8")).toBe("lab secret");

    const graph = await api.lineage(`lab/p/${consumer.id}`);
    const dataNode = `artifact:${versionIdOf(data as Artifact)}`;
    expect(graph.runs.sort()).toEqual([`lab/p/${consumer.id}`, `lab/p/${runId}`].sort());
    expect(graph.artifacts.map((a) => a.qualifiedName).sort()).toEqual(["lab/p/clf:v0", "lab/p/data:v0"]);
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        { from: `run:lab/p/${runId}`, to: dataNode },
        { from: dataNode, to: `run:lab/p/${consumer.id}` },
        { from: `run:lab/p/${consumer.id}`, to: `artifact:${versionIdOf(logged)}` },
      ]),
    );
    expect(graph.edges).toHaveLength(3);
    expect([await (data as Artifact).loggedBy(), await (data as Artifact).usedBy()]).toEqual([`lab/p/${runId}`, [`lab/p/${consumer.id}`]]);
    const near = await api.lineage(data as Artifact, { depth: 0 });
    expect([near.runs, near.artifacts.map((a) => a.qualifiedName)]).toEqual([[], ["lab/p/data:v0"]]);

    // Another entity's key sees none of lab's artifacts, whichever way it asks.
    const other = new Api({ baseUrl: server.url, apiKey: keys.otherRead });
    await expect(other.artifactCollections("lab/p")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(other.artifactExists("lab/p/data:latest")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(other.lineage(`lab/p/${consumer.id}`)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(other.lineage(data as Artifact)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await other.artifactCollections("other/p")).map((c) => c.name)).toEqual(["data"]);
    const get = (path: string, key = keys.otherRead) =>
      fetch(`${server.url}/api/v1/${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await get(`artifacts/other/p/lineage?version=${versionIdOf(data as Artifact)}`)).status).toBe(404);
    expect((await get(`runs/lab/p/${runId}/artifacts/logged`)).status).toBe(403);
    // The shared run id: other's run shows only other's artifact.
    const theirs = (await (await get(`runs/other/p/${runId}/artifacts/logged`)).json()) as { entity: string }[];
    expect(theirs.map((v) => v.entity)).toEqual(["other"]);
    for (const query of ["", `?run=${runId}&version=1`, "?version=abc", `?run=${runId}&depth=-1`]) {
      const answer = await get(`artifacts/lab/p/lineage${query}`, keys.labRead);
      expect([answer.status, ((await answer.json()) as { code: string }).code]).toEqual([400, "INVALID_ARGUMENT"]);
    }
    expect((await get(`runs/lab/p/${runId}/artifacts/everything`, keys.labRead)).status).toBe(400);
    await expect(api.artifactCollection("lab/p/nothing")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    await expect(api.artifactCollections("lab/../p")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(api.lineage("lab/p")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(api.lineage(`lab/p/${runId}`, { depth: -1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    api.close();
    other.close();
  });

  it("an offline run's artifacts reach the server at sync, with lineage, once however often it syncs", async () => {
    const { server, keys } = await seededServer(start);
    const work = tempRoot();
    const local = await init({ dir: work, entity: "lab", project: "p", settings: QUIET });
    const corpus = new Artifact("corpus", "dataset");
    writeFileSync(corpus.newFile("rows.csv"), "a\nb\n");
    await local.logArtifact(corpus);
    await local.finish();
    const run = await init({ dir: work, mode: "offline", entity: "lab", project: "p", settings: QUIET });
    const big = randomBytes(3 * 1024 * 1024);
    const model = new Artifact("offmodel", "model", { metadata: { epochs: 2 } });
    writeFileSync(model.newFile("weights.bin"), big);
    const logged = await run.logArtifact(model, { aliases: ["best"] });
    await run.useArtifact("corpus:latest");
    await expect(run.useArtifact("lab/p/not-here:latest")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    run.log({ loss: 1 });
    await run.finish();
    const runDir = join(work, "runs", "lab", "p", run.id);
    const address = { entity: "lab", project: "p", id: run.id };
    // Another entity's key cannot sync lab's run, and leaves nothing behind.
    await expect(uploadRunDir(runDir, address, new IngestClient(server.url, keys.otherWrite), 0)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const client = new IngestClient(server.url, keys.labWrite);
    for (let round = 0; round < 2; round++) {
      expect((await uploadRunDir(runDir, address, client)).artifacts).toEqual({ logged: 1, used: 1 });
    }
    const api = new Api({ baseUrl: server.url, apiKey: keys.labRead });
    const versions = await api.artifactVersions("lab/p/offmodel");
    expect(versions.map((v) => [v.version, v.digest, [...v.aliases].sort(), v.metadata])).toEqual([
      ["v0", logged.digest, ["best", "latest"], { epochs: 2 }],
    ]);
    const root = await (versions[0] as Artifact).download({ root: join(tempRoot(), "model") });
    expect(readFileSync(join(root, "weights.bin")).equals(big)).toBe(true);
    const synced = await api.run(`lab/p/${run.id}`);
    expect((await synced.loggedArtifacts()).map((a) => a.qualifiedName)).toEqual(["lab/p/offmodel:v0"]);
    const used = await synced.usedArtifacts();
    expect(used.map((a) => [a.qualifiedName, a.digest])).toEqual([["lab/p/corpus:v0", corpus.digest]]);
    expect(readFileSync(join(await (used[0] as Artifact).download({ root: join(tempRoot(), "c") }), "rows.csv"), "utf8")).toBe("a\nb\n");
    const graph = await api.lineage(`lab/p/${run.id}`);
    expect(graph.edges).toHaveLength(2);
    // A run folder that lost an object it journalled: STORE_ERROR naming it, not a half-made version.
    const other = await init({ dir: work, mode: "offline", entity: "lab", project: "p", settings: QUIET });
    const lost = new Artifact("lost", "dataset");
    writeFileSync(lost.newFile("gone.txt"), "soon gone");
    await other.logArtifact(lost);
    await other.finish();
    const otherDir = join(work, "runs", "lab", "p", other.id);
    const sha = sha256("soon gone");
    rmSync(join(otherDir, "offline-artifacts", "artifacts", "objects", "sha256", sha.slice(0, 2), sha.slice(2)));
    await expect(uploadRunDir(otherDir, { ...address, id: other.id }, client, 0)).rejects.toMatchObject({ code: "STORE_ERROR" });
    expect(await api.artifactVersions("lab/p/lost")).toEqual([]);
    api.close();
  });
});
