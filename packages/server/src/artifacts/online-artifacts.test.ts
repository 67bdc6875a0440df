import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Artifact, init } from "@runlog/core";
import { versionIdOf } from "@runlog/test-support/artifact-ids";
import { tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { serverKinds } from "../test-support/server-kinds.js";

const QUIET = { quiet: true, console: "off", disableStats: true } as const;
describe.each(serverKinds())("artifacts of online runs on a %s server", (_name, start) => {
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
});
