import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { Artifact } from "../artifacts/artifact.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";

// Members of the spec's Run and Artifact tables whose options had no test of their own (issue 24).

const md5 = (text: string) => createHash("md5").update(text).digest("base64");

describe("display() and toHtml() options", () => {
  const global = globalThis as { tslab?: unknown };
  afterEach(() => {
    delete global.tslab;
  });

  it("toHtml: 420 px by default, the given height (at least 100 px), nothing when hidden or when the run has no page", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const frame = (height: number) => `<iframe src="${run.url}" style="border:none;width:100%;height:${height}px"></iframe>`;
    expect(run.url).toContain(`/runs/${run.id}`);
    expect(run.toHtml()).toBe(frame(420));
    expect(run.toHtml({ height: 640 })).toBe(frame(640));
    expect(run.toHtml({ height: 10 })).toBe(frame(100));
    expect(run.toHtml({ height: Number.NaN })).toBe(frame(420));
    expect(run.toHtml({ hidden: true, height: 640 })).toBe("");
    await run.finish();
    const offline = await initIn(root, { mode: "offline" });
    expect(offline.url).toBeUndefined();
    expect(offline.toHtml()).toBe("");
    await offline.finish();
  });

  it("display: hands a notebook kernel exactly toHtml's iframe and returns true; hidden shows nothing; no kernel returns false", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    expect(run.display({ height: 300 })).toBe(false); // plain Node: no kernel to show it in
    const shown: string[] = [];
    global.tslab = { display: { html: (html: string) => shown.push(html) } }; // the global a tslab kernel provides
    expect(run.display({ height: 300 })).toBe(true);
    expect(run.display({ hidden: true })).toBe(false);
    expect(shown).toEqual([run.toHtml({ height: 300 })]);
    await run.finish();
  });
});

describe("logCode({ exclude })", () => {
  it("drops the files exclude matches, after include picked them, and says nothing was logged when it drops all", async () => {
    const root = tempRoot();
    const code = join(root, "code");
    mkdirSync(join(code, "src", "generated"), { recursive: true });
    writeFileSync(join(code, "src", "train.ts"), "export {};");
    writeFileSync(join(code, "src", "train.test.ts"), "export {};");
    writeFileSync(join(code, "src", "generated", "schema.ts"), "export {};");
    writeFileSync(join(code, "package.json"), "{}");
    const run = await initIn(root);
    const seen: string[] = [];
    const artifact = await run.logCode({
      root: code,
      name: "source-excluded",
      exclude: (path) => {
        seen.push(path);
        return path.endsWith(".test.ts") || path.startsWith("src/generated/");
      },
    });
    expect(Object.keys(artifact?.manifest.contents ?? {})).toEqual(["package.json", "src/train.ts"]);
    expect(seen.sort()).toEqual(["package.json", "src/generated/schema.ts", "src/train.test.ts", "src/train.ts"]);
    expect(await run.logCode({ root: code, name: "source-none", exclude: () => true })).toBeUndefined();
    await run.finish();
    const api = new Api({ dir: root });
    await expect(api.artifact("tester/test/source-none:latest")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
    expect(Object.keys((await api.artifact("tester/test/source-excluded:v0")).manifest.contents)).toEqual(["package.json", "src/train.ts"]);
    api.close();
  });
});

describe("restore defaults", () => {
  it("name only: this run's saved file, in this run's folder; runPath only: into this run's folder, an existing copy kept (replace: false)", async () => {
    const root = tempRoot();
    const source = join(root, "weights.bin");
    writeFileSync(source, "first-run");
    const first = await initIn(root, { id: "first001" });
    await first.save(source, { basePath: root, policy: "now" });
    expect(await first.restore("weights.bin")).toBe(join(first.dir, "weights.bin"));
    expect(readFileSync(join(first.dir, "weights.bin"), "utf8")).toBe("first-run");
    await first.finish();

    const second = await initIn(root, { id: "second01" });
    const restored = await second.restore("weights.bin", { runPath: "tester/test/first001" });
    expect(restored).toBe(join(second.dir, "weights.bin"));
    expect(readFileSync(restored as string, "utf8")).toBe("first-run");
    writeFileSync(join(second.dir, "weights.bin"), "edited-here");
    expect(await second.restore("weights.bin", { runPath: "tester/test/first001" })).toBe(restored);
    expect(readFileSync(restored as string, "utf8")).toBe("edited-here"); // default replace is false
    await second.restore("weights.bin", { runPath: "tester/test/first001", replace: true });
    expect(readFileSync(restored as string, "utf8")).toBe("first-run");
    await second.finish();
  });
});

describe("linkArtifact({ aliases })", () => {
  it("puts the aliases on the link in the registry collection, moves them on a later link, and leaves the source's aliases alone", async () => {
    const root = tempRoot();
    const weights = join(root, "model.onnx");
    writeFileSync(weights, "weights-v1");
    const run = await initIn(root);
    const firstModel = await run.logModel(weights, { name: "mlp" });
    const first = await run.linkArtifact(firstModel, "registry/models/mlp", { aliases: ["staging", "candidate"] });
    expect([...(first?.aliases ?? [])].sort()).toEqual(["candidate", "latest", "staging"]);
    writeFileSync(weights, "weights-v2");
    const secondModel = await run.logModel(weights, { name: "mlp" });
    await run.linkArtifact(secondModel, "registry/models/mlp", { aliases: ["staging"] });
    await expect(run.linkArtifact(secondModel, "registry/models/mlp", { aliases: ["bad:alias"] })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await run.finish();
    const api = new Api({ dir: root });
    expect((await api.artifact("tester/registry-models/mlp:staging")).digest).toBe(secondModel.digest);
    expect((await api.artifact("tester/registry-models/mlp:candidate")).digest).toBe(firstModel.digest);
    const versions = await api.artifactVersions("tester/registry-models/mlp");
    expect(versions.map((v) => [v.version, [...v.aliases].sort()])).toEqual([
      ["v0", ["candidate"]],
      ["v1", ["latest", "staging"]],
    ]);
    expect([...(await api.artifact("tester/test/mlp:v0")).aliases]).toEqual([]); // the source collection keeps its own aliases
    api.close();
  });
});

describe("Artifact.wait()", () => {
  it("local: waits for a logArtifact call that was not awaited, resolves at once after an awaited one, and refuses a draft", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const pending = new Artifact("waited", "dataset");
    writeFileSync(pending.newFile("data.txt"), "payload");
    void run.logArtifact(pending); // W&B's run.log_artifact(a); a.wait()
    expect(pending.version).toBeUndefined();
    expect(await pending.wait()).toBe(pending);
    expect(pending.version).toBe("v0");
    expect(pending.getEntry("data.txt")?.digest).toBe(md5("payload"));
    expect(await pending.wait()).toBe(pending); // committed: resolves again
    await expect(new Artifact("draft", "dataset").wait()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await run.finish();
    const api = new Api({ dir: root });
    expect((await api.artifact("tester/test/waited:v0")).digest).toBe(pending.digest);
    api.close();
  });

  it("offline: wait() settles with the logArtifact it waits for", async () => {
    const root = tempRoot();
    const run = await initIn(root, { mode: "offline" });
    const artifact = new Artifact("offline-art", "dataset");
    writeFileSync(artifact.newFile("data.txt"), "payload");
    const logging = run.logArtifact(artifact);
    const waited = artifact.wait();
    const [logged, wait] = await Promise.allSettled([logging, waited]);
    // Offline runs log artifacts into their folder (synced later): wait() settles as logArtifact did.
    expect([logged.status, wait]).toEqual(["fulfilled", { status: "fulfilled", value: artifact }]);
    expect(artifact.version).toBe("v0");
    await run.finish();
  });
});

describe("Artifact options", () => {
  it("addReference({ checksum: false }) records the file by its URI and size without reading it; the default checksums its content", async () => {
    const root = tempRoot();
    const data = join(root, "data.csv");
    writeFileSync(data, "a,b\n1,2\n");
    const uri = pathToFileURL(data).href;
    const run = await initIn(root);
    const unchecked = new Artifact("unchecked", "dataset");
    expect(unchecked.addReference(uri, { checksum: false })).toEqual(["data.csv"]);
    const checked = new Artifact("checked", "dataset");
    checked.addReference(uri, { name: "table.csv" });
    await run.logArtifact(unchecked);
    await run.logArtifact(checked);
    expect(unchecked.getEntry("data.csv")).toMatchObject({ digest: md5(uri), size: 8, ref: uri, sha256: undefined });
    expect(checked.getEntry("table.csv")).toMatchObject({ digest: md5("a,b\n1,2\n"), size: 8, ref: uri });
    expect(checked.getEntry("table.csv")?.sha256).toBe(createHash("sha256").update("a,b\n1,2\n").digest("hex"));
    writeFileSync(data, "a,b\n3,4\n"); // same size, new content: only the checksummed reference notices
    const fetched = await unchecked.download({ root: join(root, "unchecked") });
    expect(readFileSync(join(fetched, "data.csv"), "utf8")).toBe("a,b\n3,4\n");
    await expect(checked.download({ root: join(root, "checked") })).rejects.toMatchObject({ code: "STORE_ERROR" });
    await run.finish();
  });

  it("addDir({ name }) puts every file under name/, nested folders kept; without name at the top", async () => {
    const root = tempRoot();
    const dir = join(root, "images");
    mkdirSync(join(dir, "train", "cats"), { recursive: true });
    writeFileSync(join(dir, "train", "cats", "1.png"), "cat");
    writeFileSync(join(dir, "labels.txt"), "cat");
    const artifact = new Artifact("images", "dataset");
    expect(artifact.addDir(dir, { name: "raw/v1" })).toEqual(["raw/v1/labels.txt", "raw/v1/train/cats/1.png"]);
    expect(artifact.addDir(dir)).toEqual(["labels.txt", "train/cats/1.png"]);
    expect(() => artifact.addDir(dir, { name: "../out" })).toThrowError(expect.objectContaining({ code: "PATH_OUTSIDE_ROOT" }));
    const run = await initIn(root);
    await run.logArtifact(artifact);
    await run.finish();
    const api = new Api({ dir: root });
    const stored = await api.artifact("tester/test/images:v0");
    expect(Object.keys(stored.manifest.contents).sort()).toEqual([
      "labels.txt",
      "raw/v1/labels.txt",
      "raw/v1/train/cats/1.png",
      "train/cats/1.png",
    ]);
    const folder = await stored.download({ root: join(root, "out") });
    expect(readFileSync(join(folder, "raw", "v1", "train", "cats", "1.png"), "utf8")).toBe("cat");
    api.close();
  });
});
