import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import type { ObjectStore } from "../artifacts/object-store.js";
import { scratchFolders } from "./scratch.js";

/** The contract every object store meets (the local folder, S3-compatible buckets). */
export function describeObjectStoreContract(name: string, open: () => Promise<ObjectStore>, options: { bigFileBytes?: number } = {}): void {
  describe(`ObjectStore contract: ${name}`, () => {
    const tempRoot = scratchFolders();
    it("stores content once under its SHA-256 and reads it back, whole or from an offset", async () => {
      const store = await open();
      const dir = tempRoot();
      const file = join(dir, "a.txt");
      writeFileSync(file, "hello objects");
      const sha256 = createHash("sha256").update("hello objects").digest("hex");
      expect(await store.exists(sha256)).toBe(false);
      const first = await store.put(file);
      expect(first).toMatchObject({ sha256, size: 13, bytesWritten: 13 });
      expect(first.md5).toBe(createHash("md5").update("hello objects").digest("base64"));
      expect((await store.put(file)).bytesWritten).toBe(0);
      expect(await store.exists(sha256)).toBe(true);
      const whole = await store.open(sha256);
      expect(whole?.size).toBe(13);
      expect(await text(whole?.stream as NodeJS.ReadableStream)).toBe("hello objects");
      expect(await text((await store.open(sha256, 6))?.stream as NodeJS.ReadableStream)).toBe("objects");
      expect(await store.open("0".repeat(64))).toBeUndefined();
      await expect(store.exists("../../etc/passwd")).rejects.toThrow(/SHA-256/);
      const out = join(dir, "out.txt");
      await store.materialize(sha256, out);
      expect(readFileSync(out, "utf8")).toBe("hello objects");
    });

    it("round-trips a big file exactly", async () => {
      const store = await open();
      const file = join(tempRoot(), "big.bin");
      const bytes = randomBytes(options.bigFileBytes ?? 12 * 1024 * 1024);
      writeFileSync(file, bytes);
      const put = await store.put(file);
      expect(put.size).toBe(bytes.length);
      const out = join(tempRoot(), "big.out");
      await store.materialize(put.sha256, out);
      expect(readFileSync(out).equals(bytes)).toBe(true);
    });
  });
}
