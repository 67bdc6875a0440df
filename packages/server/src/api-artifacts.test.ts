import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Api, Artifact, init } from "@runlog/core";
import { QUIET, tempRoot } from "@runlog/test-support/temp-root";
import { describe, expect, it } from "vitest";
import { serverKinds } from "./test-support/server-kinds.js";

// new Api({ baseUrl }) reads artifacts from a real runlog server, as W&B's Api reads them from W&B.
describe.each(serverKinds())("Api({ baseUrl }) artifacts on %s", (_kind, start) => {
  it("resolves an artifact by alias and version, lists its versions and downloads their files, checked, from the server", async () => {
    const server = await start();
    const work = tempRoot();
    for (const text of ["first", "second"]) {
      const run = await init({
        dir: work,
        mode: "online",
        baseUrl: server.url,
        entity: "lab",
        project: "p",
        reinit: "create_new",
        settings: QUIET,
      });
      const file = join(work, "data.txt");
      writeFileSync(file, text);
      const artifact = new Artifact("data", "dataset");
      artifact.addFile(file);
      await run.logArtifact(artifact);
      await run.finish();
    }
    const api = new Api({ baseUrl: server.url });
    const latest = await api.artifact("lab/p/data:latest");
    expect([latest.name, latest.type, latest.version]).toEqual(["data", "dataset", "v1"]);
    const root = await latest.download({ root: join(tempRoot(), "latest") });
    expect(readFileSync(join(root, "data.txt"), "utf8")).toBe("second");
    const first = await api.artifact("lab/p/data:v0");
    expect(readFileSync(join(await first.download({ root: join(tempRoot(), "v0") }), "data.txt"), "utf8")).toBe("first");
    const versions = await api.artifactVersions("lab/p/data");
    expect(versions.map((v) => v.version)).toEqual(["v0", "v1"]);
    const second = await versions[1]?.download({ root: join(tempRoot(), "v1") });
    expect(readFileSync(join(second as string, "data.txt"), "utf8")).toBe("second");
    expect(await api.artifactVersions("lab/p/nothing")).toEqual([]);
    await expect(api.artifact("lab/p/nothing:latest")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    await expect(api.artifact("lab/p/data:v7")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    api.close();
  });
});
