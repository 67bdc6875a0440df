import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { exited, spawnChild } from "../test-support/child-process.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Artifact } from "./artifact.js";

describe("distributed artifacts (real child processes)", () => {
  it("4 processes upsert into one pending version; finishArtifact commits it once", async () => {
    const root = tempRoot();
    const shards = Array.from({ length: 4 }, (_, i) => {
      const file = join(root, `shard-${i}.txt`);
      writeFileSync(file, `rows of shard ${i}\n`);
      return file;
    });
    const results = await Promise.all(
      shards.map((file, i) => exited(spawnChild("upsert", root, `worker0${i}`, undefined, { SHARD_FILE: file }))),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const api = new Api({ dir: root });
    await expect(api.artifact("tester/test/shards:latest")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" }); // nothing committed yet
    const leader = await initIn(root, { id: "leader01" });
    const done = await leader.finishArtifact(new Artifact("shards", "dataset"), { distributedId: "job-7" });
    expect(done.version).toBe("v0");
    expect(Object.keys(done.manifest.contents).sort()).toEqual(["shard-0.txt", "shard-1.txt", "shard-2.txt", "shard-3.txt"]);
    await expect(leader.finishArtifact(new Artifact("shards", "dataset"), { distributedId: "job-7" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await leader.finish();
    const stored = await api.artifact("tester/test/shards:v0");
    expect(stored.digest).toBe(done.digest);
    const downloaded = await stored.download({ root: join(root, "dl") });
    expect(downloaded).toBe(join(root, "dl"));
  }, 60_000);

  it("distributedId defaults to the run group and is required otherwise; mixed types are refused", async () => {
    const root = tempRoot();
    const file = join(root, "a.txt");
    writeFileSync(file, "a");
    const grouped = await initIn(root, { group: "sweep-1" });
    await grouped.upsertArtifact(file, { name: "g", type: "dataset" });
    expect((await grouped.finishArtifact(new Artifact("g", "dataset"))).version).toBe("v0");
    await expect(grouped.upsertArtifact(file, { name: "g", type: "model", distributedId: "x" })).resolves.toBeDefined();
    await expect(grouped.upsertArtifact(file, { name: "g", type: "dataset", distributedId: "x" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await grouped.finish();
    const lone = await initIn(root);
    await expect(lone.upsertArtifact(file, { name: "h", type: "dataset" })).rejects.toThrowError(/distributedId/);
    await lone.finish();
  });

  it("incremental artifacts start from the latest version's files", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const first = join(root, "one.txt");
    const second = join(root, "two.txt");
    writeFileSync(first, "1");
    writeFileSync(second, "2");
    const base = new Artifact("growing", "dataset");
    base.addFile(first);
    await run.logArtifact(base);
    const more = new Artifact("growing", "dataset", { incremental: true });
    more.addFile(second);
    const v1 = await run.logArtifact(more);
    expect(v1.version).toBe("v1");
    expect(Object.keys(v1.manifest.contents)).toEqual(["one.txt", "two.txt"]);
    await run.finish();
  });
});

describe("crash safety of logArtifact (real child process, SIGKILL)", () => {
  it("a kill mid-copy leaves no half-committed version; the next run logs the same files cleanly", async () => {
    const { readdirSync } = await import("node:fs");
    const { watchLines } = await import("../test-support/child-process.js");
    const root = tempRoot();
    const data = join(root, "data");
    const child = spawnChild("artifact-until-killed", root, "killme01", undefined, { DATA_DIR: data });
    const done = exited(child);
    // After the first commit the child rewrites all 64 files and copies them again at once, so
    // the kill lands mid-round with one complete version behind it.
    await watchLines(child, (line) => line.startsWith("committed "));
    child.kill("SIGKILL");
    await done;
    const api = new Api({ dir: root });
    const versions = await api.artifactVersions("tester/test/big");
    expect(versions.length).toBeGreaterThanOrEqual(1);
    // Every committed version is complete: all 65 files, each object present and the right size.
    for (const version of versions) {
      expect(Object.keys(version.manifest.contents)).toHaveLength(65);
      const downloaded = await version.download({ root: join(root, `check-${version.version}`) });
      expect(readdirSync(downloaded)).toHaveLength(65);
    }
    const run = await initIn(root, { id: "after001" });
    const again = await run.logArtifact(data, { name: "big", type: "dataset" });
    expect(Object.keys(again.manifest.contents)).toHaveLength(65);
    await run.finish();
    // The dead writer's temporary files were cleaned up.
    expect(readdirSync(join(root, "artifacts", "tmp")).filter((name) => !name.startsWith(`${process.pid}-`))).toEqual([]);
  }, 60_000);
});
