import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempRoot } from "../../test-support/temp-root.js";
import { ArtifactRegistry } from "../artifact-registry.js";

const HASH = { sha256: "a".repeat(64), md5: "b".repeat(32), size: 5 };

describe("the registry's hash cache", () => {
  it("is written in one flush, survives reopening, and only answers for the same size, mtime and inode", () => {
    const db = join(tempRoot(), "runlog.db");
    const writer = new ArtifactRegistry(db);
    writer.set("/data/a.bin", 5, 1000, 7, HASH);
    const reader = new ArtifactRegistry(db);
    // Pending entries are not in the database until the flush (one transaction for many files).
    expect(reader.get("/data/a.bin", 5, 1000, 7)).toBeUndefined();
    writer.flushHashCache();
    expect(reader.get("/data/a.bin", 5, 1000, 7)).toEqual(HASH);
    expect(reader.get("/data/a.bin", 5, 1001, 7)).toBeUndefined();
    expect(reader.get("/data/a.bin", 5, 1000, 8)).toBeUndefined();
    expect(reader.get("/data/a.bin", 6, 1000, 7)).toBeUndefined();
    writer.close();
    reader.close();

    // Preloaded rows answer from memory with the same rule; a path not preloaded still reads the database.
    const again = new ArtifactRegistry(db);
    again.set("/data/b.bin", 5, 2000, 9, HASH);
    again.flushHashCache();
    again.preload(["/data/a.bin"]);
    expect(again.get("/data/a.bin", 5, 1000, 7)).toEqual(HASH);
    expect(again.get("/data/a.bin", 5, 999, 7)).toBeUndefined();
    expect(again.get("/data/a.bin", 5, 1000, 8)).toBeUndefined();
    expect(again.get("/data/b.bin", 5, 2000, 9)).toEqual(HASH);
    again.close();
  });
});
