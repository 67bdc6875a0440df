import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { Artifact } from "./artifact.js";

// A real S3-compatible server (s3rver) on loopback, reached through the real AWS SDK.
let server: S3rver;
let client: S3Client;

beforeAll(async () => {
  server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: tempRoot(),
    configureBuckets: [{ name: "lake", configs: [] }],
  });
  const { port } = await server.run();
  process.env.RUNLOG_S3_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  client = new S3Client({ region: "us-east-1", endpoint: process.env.RUNLOG_S3_ENDPOINT, forcePathStyle: true });
  for (const [key, body] of [
    ["raw/2026/a.csv", "a,1\n"],
    ["raw/2026/b.csv", "b,22\n"],
    ["model.bin", "weights"],
  ] as const) {
    await client.send(new PutObjectCommand({ Bucket: "lake", Key: key, Body: body }));
  }
});

afterAll(async () => {
  client.destroy();
  await server.close();
  delete process.env.RUNLOG_S3_ENDPOINT;
});

describe("s3:// references", () => {
  it("records an object and a prefix by ETag and size, and downloads them with checks", async () => {
    const root = tempRoot();
    const run = await initIn(root);
    const artifact = new Artifact("lake-snapshot", "dataset");
    expect(artifact.addReference("s3://lake/model.bin")).toEqual(["model.bin"]);
    expect(artifact.addReference("s3://lake/raw/2026/", { name: "raw" })).toEqual(["raw"]);
    const logged = await run.logArtifact(artifact);
    expect(Object.keys(logged.manifest.contents)).toEqual(["model.bin", "raw/a.csv", "raw/b.csv"]);
    expect(logged.getEntry("raw/b.csv")).toMatchObject({ size: 5, ref: "s3://lake/raw/2026/b.csv" });
    const out = await logged.download({ root: join(root, "out") });
    expect(readFileSync(join(out, "raw/a.csv"), "utf8")).toBe("a,1\n");
    expect(readFileSync(join(out, "model.bin"), "utf8")).toBe("weights");
    // The object changes upstream: the download says so instead of returning other data.
    await client.send(new PutObjectCommand({ Bucket: "lake", Key: "model.bin", Body: "new weights" }));
    await expect(logged.download({ root: join(root, "out2") })).rejects.toMatchObject({ code: "STORE_ERROR" });
    const limited = new Artifact("limited", "dataset");
    limited.addReference("s3://lake/raw/2026", { maxObjects: 1 });
    await expect(run.logArtifact(limited)).rejects.toThrowError(/maxObjects/);
    const missing = new Artifact("missing", "dataset");
    missing.addReference("s3://lake/nothing-here/");
    await expect(run.logArtifact(missing)).rejects.toThrowError(/nothing found/);
    await run.finish();
  });
});
