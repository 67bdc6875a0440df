import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../../api/api.js";
import { syncRunDir } from "../../sync.js";
import { initIn } from "../../test-support/runs.js";
import { tempRoot } from "../../test-support/temp-root.js";
import { Artifact } from "../artifact.js";
import { readJournal } from "./journal.js";
import { syncOfflineArtifacts } from "./local-replay.js";

const runDirOf = (root: string, id: string) => join(root, "runs", "tester", "test", id);

describe("offline artifacts", () => {
  it("log and use in an offline run, then sync into the store with lineage; content and versions round trip", async () => {
    const root = tempRoot();
    // The store of this machine holds a dataset an offline run may use.
    const local = await initIn(root);
    const source = new Artifact("corpus", "dataset", { metadata: { rows: 2 } });
    writeFileSync(source.newFile("rows.csv"), "a\nb\n");
    const corpus = await local.logArtifact(source);
    await local.finish();

    const run = await initIn(root, { mode: "offline" });
    const model = new Artifact("clf", "model", { description: "offline weights", metadata: { epochs: 3 } });
    writeFileSync(model.newFile("weights.bin"), "w1");
    const logged = await run.logArtifact(model, { aliases: ["best"], tags: ["nightly"] });
    expect([logged.version, logged.aliases.includes("best")]).toEqual(["v0", true]);
    const usedCorpus = await run.useArtifact("corpus:latest");
    expect([usedCorpus.qualifiedName, usedCorpus.digest]).toEqual(["tester/test/corpus:v0", corpus.digest]);
    expect(readFileSync(join(await usedCorpus.download({ root: join(tempRoot(), "c") }), "rows.csv"), "utf8")).toBe("a\nb\n");
    const mine = await run.useArtifact("clf:best");
    expect(readFileSync(join(await mine.download({ root: join(tempRoot(), "m") }), "weights.bin"), "utf8")).toBe("w1");
    // Not on this machine, aliases, distributed and registry calls: clear codes, nothing journalled.
    await expect(run.useArtifact("elsewhere/proj/missing:v3")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    await expect(run.useArtifact("corpus:latest", { aliases: ["seen"] })).rejects.toMatchObject({ code: "MODE_UNAVAILABLE" });
    await expect(run.upsertArtifact(new Artifact("x", "dataset"), { distributedId: "d" })).rejects.toMatchObject({
      code: "MODE_UNAVAILABLE",
    });
    await expect(run.linkArtifact(logged, "model-registry/clf")).rejects.toMatchObject({ code: "MODE_UNAVAILABLE" });
    await expect(run.useArtifact("bad name!")).rejects.toMatchObject({ code: "ARTIFACT_NAME_INVALID" });
    await run.finish();
    const runDir = runDirOf(root, run.id);
    expect(readJournal(runDir).map((e) => `${e.op} ${e.name}`)).toEqual(["log clf", "use corpus", "use clf"]);

    // Before the sync the store knows nothing of the offline run's artifacts.
    const api = new Api({ dir: root });
    expect((await api.artifactCollections("tester/test")).map((c) => c.name)).toEqual(["corpus"]);
    syncRunDir(runDir);
    const runPath = `tester/test/${run.id}`;
    expect(await syncOfflineArtifacts(runDir, runPath, root)).toEqual({ logged: 1, used: 2 });
    expect(await syncOfflineArtifacts(runDir, runPath, root)).toEqual({ logged: 1, used: 2 }); // again: nothing new
    const stored = await api.artifact("tester/test/clf:best");
    expect([stored.version, stored.type, stored.description, stored.metadata, stored.digest, stored.tags]).toEqual([
      "v0",
      "model",
      "offline weights",
      { epochs: 3 },
      logged.digest,
      ["nightly"],
    ]);
    expect(readFileSync(join(await stored.download({ root: join(tempRoot(), "s") }), "weights.bin"), "utf8")).toBe("w1");
    const synced = await api.run(runPath);
    expect((await synced.loggedArtifacts()).map((a) => a.qualifiedName)).toEqual(["tester/test/clf:v0"]);
    expect((await synced.usedArtifacts()).map((a) => a.qualifiedName).sort()).toEqual(["tester/test/clf:v0", "tester/test/corpus:v0"]);
    expect((await api.artifactVersions("tester/test/clf")).length).toBe(1);
    expect(
      await Promise.all(
        ["tester/test/clf:best", "tester/test/clf:v0", "tester/test/clf:v1", "tester/test/clf:worst", "tester/test/nope"].map((p) =>
          api.artifactExists(p),
        ),
      ),
    ).toEqual([true, true, false, false, false]);
    expect([await api.artifactCollectionExists("tester/test/clf"), await api.artifactCollectionExists("tester/test/nope")]).toEqual([
      true,
      false,
    ]);
    await expect(api.artifactExists("tester/test/bad name")).rejects.toMatchObject({ code: "ARTIFACT_NAME_INVALID" });
    expect([await stored.loggedBy(), await stored.usedBy()]).toEqual([runPath, [runPath]]);
    expect([stored.isDraft(), stored.state, stored.entity, stored.project, stored.fileCount]).toEqual([
      false,
      "COMMITTED",
      "tester",
      "test",
      1,
    ]);
    expect(stored.files().map((f) => [f.path, f.size])).toEqual([["weights.bin", 2]]);
    expect([model.isDraft(), new Artifact("d", "dataset").state, new Artifact("d", "dataset").entity]).toEqual([
      false,
      "PENDING",
      undefined,
    ]);
    expect(() => new Artifact("d", "dataset").files()).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    const storedCorpus = await api.artifact("tester/test/corpus:v0");
    expect([await storedCorpus.loggedBy(), await storedCorpus.usedBy()]).toEqual([local.path, [runPath]]);
    await expect(new Artifact("draft", "dataset").usedBy()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    api.close();
  });

  it("a torn last journal line (a crash mid-append) is skipped; an edited or damaged one is refused with a code", async () => {
    const root = tempRoot();
    const run = await initIn(root, { mode: "offline" });
    const artifact = new Artifact("data", "dataset");
    writeFileSync(artifact.newFile("a.txt"), "a");
    await run.logArtifact(artifact);
    await run.finish();
    const runDir = runDirOf(root, run.id);
    const journal = join(runDir, "offline-artifacts", "journal.jsonl");
    appendFileSync(journal, '{"op":"log","name":"da');
    expect(readJournal(runDir).map((e) => e.name)).toEqual(["data"]);
    const good = readFileSync(journal, "utf8").split("\n")[0] as string;
    const edited = (change: (entry: Record<string, unknown>) => void) => {
      const entry = JSON.parse(good) as Record<string, unknown>;
      change(entry);
      writeFileSync(journal, `${JSON.stringify(entry)}\n`);
    };
    edited((entry) => {
      entry.contents = { "../../escape.txt": { digest: "d", size: 1 } };
    });
    expect(() => readJournal(runDir)).toThrowError(expect.objectContaining({ code: "PATH_OUTSIDE_ROOT" }));
    edited((entry) => {
      entry.name = "../bad";
    });
    expect(() => readJournal(runDir)).toThrowError(expect.objectContaining({ code: "ARTIFACT_NAME_INVALID" }));
    writeFileSync(journal, `${good}\n{"op":"log","name":"x"}\n`);
    expect(() => readJournal(runDir)).toThrowError(expect.objectContaining({ code: "LOG_CORRUPT" }));
    await expect(syncOfflineArtifacts(runDir, `tester/test/${run.id}`, root)).rejects.toMatchObject({ code: "LOG_CORRUPT" });
  });
});
