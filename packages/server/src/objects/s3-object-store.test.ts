import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeObjectStoreContract } from "@runlog/core/testing";
import { tempRoot } from "@runlog/test-support/temp-root";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startS3 } from "../test-support/s3.js";
import { S3ObjectStore } from "./s3-object-store.js";

let s3: Awaited<ReturnType<typeof startS3>>;
let endpoint: string;
beforeAll(async () => {
  s3 = await startS3("team");
  endpoint = s3.endpoint;
});
afterAll(async () => {
  await s3?.close();
});

let stores = 0;
const storeAt = (options: Partial<ConstructorParameters<typeof S3ObjectStore>[0]> = {}) =>
  new S3ObjectStore({ url: `s3://team/objects-${++stores}/`, endpoint, partBytes: 5 * 1024 * 1024, stateDir: tempRoot(), ...options });

describeObjectStoreContract("S3 (s3rver)", async () => storeAt());

describe("S3ObjectStore", () => {
  it("uploads big files in parallel parts and resumes a cut-short upload with only the missing parts", async () => {
    const file = join(tempRoot(), "model.bin");
    const bytes = randomBytes(21 * 1024 * 1024); // 5 parts of 5 MiB
    writeFileSync(file, bytes);
    const stateDir = tempRoot();
    const url = "s3://team/resume/";
    const failing = storeAt({
      url,
      stateDir,
      concurrency: 1,
      onPart: (n) => {
        if (n === 2) throw new Error("connection lost");
      },
    });
    await expect(failing.put(file)).rejects.toThrow(/connection lost/);

    const sent: number[] = [];
    const resumed = storeAt({ url, stateDir, concurrency: 3, onPart: (n) => sent.push(n) });
    const put = await resumed.put(file);
    expect(sent.sort()).toEqual([3, 4, 5]);
    const out = join(tempRoot(), "back.bin");
    await resumed.materialize(put.sha256, out);
    expect(readFileSync(out).equals(bytes)).toBe(true);
    expect((await resumed.put(file)).bytesWritten).toBe(0);
  });

  it("refuses URLs that are not s3://bucket/prefix", () => {
    expect(() => storeAt({ url: "http://team/x" })).toThrow(/s3:\/\//);
    expect(() => storeAt({ url: "s3:///x" })).toThrow(/s3:\/\//);
  });
});
