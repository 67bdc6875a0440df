import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Artifact } from "./artifact.js";

describe("addReference", () => {
  it("file:// files and folders are checksummed, not copied; a changed file is caught at download", async () => {
    const root = tempRoot();
    const data = join(root, "lake");
    mkdirSync(join(data, "part"), { recursive: true });
    writeFileSync(join(data, "part", "0.csv"), "a");
    writeFileSync(join(data, "part", "1.csv"), "b");
    const run = await initIn(root);
    const artifact = new Artifact("lake", "dataset");
    expect(artifact.addReference(pathToFileURL(data).href, { name: "raw" })).toEqual(["raw/part/0.csv", "raw/part/1.csv"]);
    expect(() => new Artifact("x", "dataset").addReference(pathToFileURL(data).href, { maxObjects: 1 })).toThrowError(/maxObjects/);
    const logged = await run.logArtifact(artifact);
    expect(logged.getEntry("raw/part/0.csv")).toMatchObject({ size: 1, ref: pathToFileURL(join(data, "part", "0.csv")).href });
    const out = await logged.download({ root: join(root, "out") });
    expect(readFileSync(join(out, "raw/part/1.csv"), "utf8")).toBe("b");
    writeFileSync(join(data, "part", "1.csv"), "changed");
    await expect(logged.download({ root: join(root, "out2") })).rejects.toMatchObject({ code: "STORE_ERROR" });
    await run.finish();
  });

  it("http(s):// references record ETag and size and download with a size check", async () => {
    const body = "remote,content\n";
    const server = createServer((req, res) => {
      res.writeHead(200, { etag: '"abc123"', "content-length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const root = tempRoot();
      const run = await initIn(root);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data/table.csv`;
      const artifact = new Artifact("remote", "dataset");
      expect(artifact.addReference(url)).toEqual(["table.csv"]);
      const logged = await run.logArtifact(artifact);
      expect(logged.getEntry("table.csv")).toMatchObject({ digest: "abc123", size: Buffer.byteLength(body), ref: url });
      const out = await logged.download({ root: join(root, "out") });
      expect(readFileSync(join(out, "table.csv"), "utf8")).toBe(body);
      await run.finish();
    } finally {
      server.close();
    }
  });

  it("refuses unsupported and malformed URIs clearly", () => {
    const artifact = new Artifact("refs", "dataset");
    expect(() => artifact.addReference("gs://bucket/key")).toThrowError(expect.objectContaining({ code: "MODE_UNAVAILABLE" }));
    expect(() => artifact.addReference("ftp://host/x")).toThrowError(/file:\/\/, s3:\/\/, http:\/\/ and https:\/\//);
    expect(() => artifact.addReference("not a uri")).toThrowError(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() => artifact.addReference("file:///definitely/not/here")).toThrowError(/does not exist/);
    expect(() => artifact.addReference("https://host/x", { name: "../escape" })).toThrowError(
      expect.objectContaining({ code: "PATH_OUTSIDE_ROOT" }),
    );
  });
});
