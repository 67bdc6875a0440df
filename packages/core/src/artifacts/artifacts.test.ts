import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Artifact } from "./artifact.js";
import { LocalObjectStore } from "./object-store.js";
import { resolveInside, safeRelativePath } from "./safe-path.js";

function dataset(dir: string, files: Record<string, string>): string {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

function objectCount(root: string): number {
  const dir = join(root, "artifacts", "objects", "sha256");
  return readdirSync(dir).reduce((n, prefix) => n + readdirSync(join(dir, prefix)).length, 0);
}

/** W&B's digest, computed independently by Python's hashlib (Debian's python3 or any python3). */
function pythonWandbDigest(files: Record<string, string>): { entries: Record<string, string>; digest: string } {
  const script = `
import base64, hashlib, json, sys
files = json.loads(sys.stdin.read())
entries = {p: base64.b64encode(hashlib.md5(c.encode()).digest()).decode() for p, c in files.items()}
h = hashlib.md5(b"wandb-artifact-manifest-v1\\n")
for p in sorted(entries): h.update(f"{p}:{entries[p]}\\n".encode())
print(json.dumps({"entries": entries, "digest": h.hexdigest()}))`;
  return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(files), encoding: "utf8" }));
}

describe("artifacts", () => {
  it("computes W&B's entry and manifest digests (checked against Python's hashlib)", async () => {
    const root = tempRoot();
    const files = { "a.txt": "hello", "sub/b.txt": "world", "z.bin": "x".repeat(1000) };
    const dir = dataset(join(root, "data"), files);
    const run = await initIn(root);
    const artifact = new Artifact("mnist-data", "dataset", { metadata: { rows: 3 } });
    expect(artifact.addDir(dir)).toEqual(["a.txt", "sub/b.txt", "z.bin"]);
    await run.logArtifact(artifact);
    await run.finish();
    const expected = pythonWandbDigest(files);
    expect(artifact.digest).toBe(expected.digest);
    for (const [path, digest] of Object.entries(expected.entries)) expect(artifact.getEntry(path)?.digest).toBe(digest);
    expect(artifact.manifest).toMatchObject({ version: 1, contents: { "a.txt": { size: 5 } } });
    expect(artifact.version).toBe("v0");
    expect(artifact.aliases).toEqual(["latest"]);
  });

  it("versions v0…vN, moves latest and user aliases, and makes no new version for unchanged content", async () => {
    const root = tempRoot();
    const dir = dataset(join(root, "data"), { "a.txt": "one" });
    const run = await initIn(root);
    const warnings: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => warnings.push(String(chunk)) > 0) as typeof write;
    try {
      const v0 = await run.logArtifact(dir, { name: "data", type: "dataset", aliases: ["best"] });
      const again = await run.logArtifact(dir, { name: "data", type: "dataset" });
      expect(again.version).toBe("v0");
      expect(warnings.join("")).toMatch(/already exists with the same content \(v0\); no new version/);
      writeFileSync(join(dir, "a.txt"), "two");
      const v1 = await run.logArtifact(dir, { name: "data", type: "dataset", aliases: ["best", "prod"] });
      expect([v0.version, v1.version]).toEqual(["v0", "v1"]);
      expect(v1.aliases).toEqual(["best", "latest", "prod"]);
      await expect(run.logArtifact(dir, { name: "data", type: "model" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    } finally {
      process.stderr.write = write;
    }
    await run.finish();
    const api = new Api({ dir: root });
    const versions = await api.artifactVersions(`tester/test/data`);
    expect(versions.map((v) => [v.version, [...v.aliases]])).toEqual([
      ["v0", []],
      ["v1", ["best", "latest", "prod"]],
    ]);
    expect((await api.artifact("tester/test/data:v0")).digest).toBe(versions[0]?.digest);
    await expect(api.artifact("tester/test/data:nope")).rejects.toMatchObject({ code: "ARTIFACT_NOT_FOUND" });
  });

  it("stores identical content once, across artifacts and runs", async () => {
    const root = tempRoot();
    const a = dataset(join(root, "a"), { "x.txt": "same", "y.txt": "other" });
    const b = dataset(join(root, "b"), { "copy.txt": "same" });
    const run = await initIn(root);
    await run.logArtifact(a, { name: "first", type: "dataset" });
    await run.logArtifact(b, { name: "second", type: "dataset" });
    await run.finish();
    expect(objectCount(root)).toBe(2);
  });

  it("useArtifact records the input edge; download links the files, verified against the manifest", async () => {
    const root = tempRoot();
    const dir = dataset(join(root, "data"), { "train.csv": "a,b\n1,2\n", "nested/labels.txt": "cat\n" });
    const producer = await initIn(root, { id: "producer" });
    await producer.logArtifact(dir, { name: "table", type: "dataset" });
    await producer.finish();
    const consumer = await initIn(root, { id: "consumer" });
    const used = await consumer.useArtifact("table:latest", { type: "dataset" });
    const target = await used.download({ root: join(root, "out") });
    expect(readFileSync(join(target, "nested/labels.txt"), "utf8")).toBe("cat\n");
    const object = new LocalObjectStore(root).objectPath(used.getEntry("train.csv")?.sha256 as string);
    expect(statSync(join(target, "train.csv")).ino).toBe(statSync(object).ino); // a link, not a copy
    expect(await used.download({ root: join(root, "out") })).toBe(target); // idempotent
    await expect(consumer.useArtifact("table", { type: "model" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await consumer.finish();
    const api = new Api({ dir: root });
    expect((await (await api.run("tester/test/producer")).loggedArtifacts()).map((a) => a.qualifiedName)).toEqual(["tester/test/table:v0"]);
    expect((await (await api.run("tester/test/consumer")).usedArtifacts()).map((a) => a.qualifiedName)).toEqual(["tester/test/table:v0"]);
    const graph = await api.lineage("tester/test/producer");
    expect(graph.runs.sort()).toEqual(["tester/test/consumer", "tester/test/producer"]);
    expect(graph.edges).toHaveLength(2);
    expect((await api.lineage("tester/test/producer", { depth: 0 })).runs).toEqual(["tester/test/producer"]);
  });

  it("models: logModel, useModel (one file → its path), linkModel and linkArtifact into registries", async () => {
    const root = tempRoot();
    const weights = join(root, "model.onnx");
    writeFileSync(weights, "weights-v1");
    process.env.RUNLOG_ARTIFACT_DIR = join(root, "downloads");
    const run = await initIn(root).finally(() => delete process.env.RUNLOG_ARTIFACT_DIR);
    const model = await run.logModel(weights, { name: "mnist-mlp", aliases: ["best"] });
    expect(model.type).toBe("model");
    const path = await run.useModel("mnist-mlp:best");
    expect(path).toBe(join(root, "downloads", "mnist-mlp:v0", "model.onnx"));
    expect(readFileSync(path, "utf8")).toBe("weights-v1");
    await run.logArtifact(weights, { name: "not-a-model", type: "dataset" });
    await expect(run.useModel("not-a-model")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const linked = await run.linkModel(weights, "MNIST Classifier".replace(" ", "-"), { aliases: ["production"] });
    expect(linked?.qualifiedName).toBe("tester/model-registry/MNIST-Classifier:v0");
    writeFileSync(weights, "weights-v2");
    const second = await run.linkModel(weights, "MNIST-Classifier");
    expect(second?.version).toBe("v1");
    const registered = await run.linkArtifact(model, "registry/models/mnist");
    expect(registered?.qualifiedName).toBe("tester/registry-models/mnist:v0");
    await expect(run.linkModel(weights, "a/b")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await run.finish();
    const api = new Api({ dir: root });
    expect((await api.artifact("tester/model-registry/MNIST-Classifier:production")).digest).toBe(linked?.digest);
    expect((await api.artifact("tester/model-registry/MNIST-Classifier:latest")).digest).toBe(second?.digest);
  });

  it("artifactVersions lists a registry collection's links, as artifact() resolves them", async () => {
    const root = tempRoot();
    const weights = join(root, "model.onnx");
    writeFileSync(weights, "weights-v1");
    const run = await initIn(root);
    const first = await run.linkModel(weights, "Classifier", { aliases: ["production"] });
    writeFileSync(weights, "weights-v2");
    const second = await run.linkModel(weights, "Classifier");
    const model = await run.logModel(weights, { name: "mlp" });
    await run.linkArtifact(model, "registry/models/mlp", { aliases: ["staging"] });
    await run.finish();
    const api = new Api({ dir: root });
    const versions = await api.artifactVersions("tester/model-registry/Classifier");
    expect(versions.map((v) => [v.qualifiedName, v.digest, [...v.aliases].sort()])).toEqual([
      ["tester/model-registry/Classifier:v0", first?.digest, ["production"]],
      ["tester/model-registry/Classifier:v1", second?.digest, ["latest"]],
    ]);
    for (const version of versions) {
      expect((await api.artifact(version.qualifiedName ?? "")).digest).toBe(version.digest);
    }
    const registry = await api.artifactVersions("tester/registry-models/mlp");
    expect(registry.map((v) => [v.qualifiedName, v.digest])).toEqual([["tester/registry-models/mlp:v0", model.digest]]);
  });

  it("validates names, types, aliases, tags and metadata like W&B", async () => {
    const bad: [() => unknown, string][] = [
      [() => new Artifact("has space", "dataset"), "ARTIFACT_NAME_INVALID"],
      [() => new Artifact("x".repeat(129), "dataset"), "ARTIFACT_NAME_INVALID"],
      [() => new Artifact("ok", "a/b"), "INVALID_ARGUMENT"],
      [() => new Artifact("ok", "job"), "INVALID_ARGUMENT"],
      [() => new Artifact("source-x", "code"), "INVALID_ARGUMENT"],
      [() => new Artifact("run-x", "run_table"), "INVALID_ARGUMENT"],
      [() => new Artifact("ok", "wandb-history"), "INVALID_ARGUMENT"],
      [
        () => new Artifact("ok", "dataset", { metadata: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }),
        "INVALID_ARGUMENT",
      ],
      [() => new Artifact("ok", "dataset", { metadata: { x: Number.POSITIVE_INFINITY } }), "INVALID_ARGUMENT"],
    ];
    for (const [attempt, code] of bad) expect(attempt).toThrowError(expect.objectContaining({ code }));
    const root = tempRoot();
    const file = join(root, "f.txt");
    writeFileSync(file, "x");
    const run = await initIn(root);
    for (const options of [
      { aliases: ["a/b"] },
      { aliases: ["v3"] },
      { aliases: [""] },
      { tags: [" leading-space"] },
      { tags: ["no/slash"] },
    ]) {
      await expect(run.logArtifact(file, { name: "f", type: "dataset", ...options })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
    const empty = new Artifact("empty", "dataset");
    await expect(run.logArtifact(empty)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    const artifact = new Artifact("twice", "dataset");
    artifact.addFile(file, { name: "a.txt" });
    const other = join(root, "g.txt");
    writeFileSync(other, "y");
    expect(() => artifact.addFile(other, { name: "a.txt" })).toThrowError(/same path twice/);
    artifact.addFile(other, { name: "a.txt", overwrite: true });
    expect(() => artifact.digest).toThrowError(/log the artifact first/);
    await run.logArtifact(artifact, { tags: ["nightly build", "v2"] });
    expect(artifact.tags).toEqual(["nightly build", "v2"]);
    expect(() => artifact.addFile(file)).toThrowError(/already logged/);
    await run.finish();
  });

  it("newFile writes an entry without a source file", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const artifact = new Artifact("generated", "dataset");
    writeFileSync(artifact.newFile("reports/summary.json"), '{"ok":true}');
    const logged = await run.logArtifact(artifact);
    expect(logged.getEntry("reports/summary.json")?.size).toBe(11);
    await run.finish();
  });
});

describe("path safety", () => {
  it("refuses traversal, absolute paths, drive paths, backslashes and NUL bytes (named cases)", () => {
    const cases: [string, RegExp][] = [
      ["../escape.txt", /".." may not leave/],
      ["a/../../escape", /".." may not leave/],
      ["/etc/passwd", /absolute/],
      ["C:/Windows/x", /drive/],
      ["c:evil", /drive/],
      ["a\\b", /separator/],
      ["nul\0byte", /NUL/],
      ["", /1–4096/],
      ["./.", /names no file/],
    ];
    for (const [path, why] of cases) {
      expect(() => safeRelativePath(path)).toThrowError(
        expect.objectContaining({ code: "PATH_OUTSIDE_ROOT", message: expect.stringMatching(why) }),
      );
    }
    expect(safeRelativePath("a//./b/c.txt")).toBe("a/b/c.txt");
  });

  it("refuses a symlink that leads out of the root", () => {
    const root = tempRoot();
    const outside = tempRoot();
    mkdirSync(join(root, "inside"));
    symlinkSync(outside, join(root, "inside", "link"));
    expect(() => resolveInside(root, "inside/link/file.txt")).toThrowError(/symbolic link leads outside/);
    expect(resolveInside(root, "inside/ok.txt")).toBe(join(root, "inside", "ok.txt"));
  });

  it("addFile names from users and download roots go through the same checks", async () => {
    const root = tempRoot();
    const file = join(root, "f.txt");
    writeFileSync(file, "x");
    const artifact = new Artifact("safe", "dataset");
    expect(() => artifact.addFile(file, { name: "../../etc/cron.d/evil" })).toThrowError(
      expect.objectContaining({ code: "PATH_OUTSIDE_ROOT" }),
    );
    expect(() => artifact.newFile("/abs/path")).toThrowError(expect.objectContaining({ code: "PATH_OUTSIDE_ROOT" }));
    const run = await initIn(root);
    artifact.addFile(file, { name: "ok/f.txt" });
    await run.logArtifact(artifact);
    const outside = tempRoot();
    const downloadRoot = join(root, "dl");
    mkdirSync(downloadRoot);
    symlinkSync(outside, join(downloadRoot, "ok"));
    await expect(artifact.download({ root: downloadRoot })).rejects.toMatchObject({ code: "PATH_OUTSIDE_ROOT" });
    expect(readdirSync(outside)).toEqual([]);
    await run.finish();
  });
});

describe("object store", () => {
  it("skips unchanged files by size + mtime + inode (nothing read or written) and dedupes content", async () => {
    const root = tempRoot();
    const store = new LocalObjectStore(root);
    const file = join(root, "big.bin");
    writeFileSync(file, Buffer.alloc(1 << 20, 7));
    utimesSync(file, 1_700_000_000, 1_700_000_000); // whole seconds, so restoring it below is exact
    const cache = new Map<string, { sha256: string; md5: string; size: number }>();
    const hashCache = {
      get: (path: string, size: number, mtime: number, ino: number) => cache.get(`${path}|${size}|${mtime}|${ino}`),
      set: (path: string, size: number, mtime: number, ino: number, hash: { sha256: string; md5: string; size: number }) =>
        void cache.set(`${path}|${size}|${mtime}|${ino}`, hash),
    };
    const first = await store.put(file, hashCache);
    expect(first.bytesWritten).toBe(1 << 20);
    const again = await store.put(file, hashCache);
    expect(again).toEqual({ ...first, bytesWritten: 0 });
    // Same size and mtime after an in-place edit: the cache answers without reading (documented limit of the cache).
    writeFileSync(file, Buffer.alloc(1 << 20, 8));
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    expect((await store.put(file, hashCache)).sha256).toBe(first.sha256);
    // Without the cache, the new content is hashed and stored next to the old.
    const fresh = await store.put(file);
    expect(fresh.sha256).not.toBe(first.sha256);
    expect(statSync(store.objectPath(fresh.sha256)).mode & 0o222).toBe(0); // objects are read-only
  });
});

describe("download verification", () => {
  it("re-links a downloaded file that was replaced, and refuses (and drops) a stored object modified in place", async () => {
    const { chmodSync, rmSync } = await import("node:fs");
    const root = tempRoot();
    const data = dataset(join(root, "data"), { "w.bin": "weights" });
    const run = await initIn(root);
    const artifact = await run.logArtifact(data, { name: "ckpt", type: "model" });
    const out = join(root, "out");
    await artifact.download({ root: out });
    rmSync(join(out, "w.bin"));
    writeFileSync(join(out, "w.bin"), "tampered copy");
    await artifact.download({ root: out });
    expect(readFileSync(join(out, "w.bin"), "utf8")).toBe("weights");
    // An in-place edit through the hard link (possible as root) corrupts the stored object itself.
    const object = new LocalObjectStore(root).objectPath(artifact.getEntry("w.bin")?.sha256 as string);
    chmodSync(object, 0o644);
    writeFileSync(object, "bit rot");
    await expect(artifact.download({ root: join(root, "out2") })).rejects.toMatchObject({
      code: "STORE_ERROR",
      message: expect.stringMatching(/modified on disk/),
    });
    expect(new LocalObjectStore(root).has(artifact.getEntry("w.bin")?.sha256 as string)).toBe(false);
    writeFileSync(join(data, "w.bin"), "weights"); // log the same content again: the object is restored
    await run.logArtifact(join(data, "w.bin"), { name: "ckpt-restore", type: "model" });
    expect(readFileSync(join(await artifact.download({ root: join(root, "out3") }), "w.bin"), "utf8")).toBe("weights");
    await run.finish();
  });
});
