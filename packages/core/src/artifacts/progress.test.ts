import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Api } from "../api/api.js";
import { initIn } from "../test-support/runs.js";
import { tempRoot } from "../test-support/temp-root.js";
import { type ArtifactProgress, progressCounter } from "./progress.js";

const MiB = 2 ** 20;

/** Each report's bytes never go back, never pass the total, and the last one is everything. */
function expectMonotonic(reports: readonly ArtifactProgress[], filesTotal: number, bytesTotal: number): void {
  const bytes = reports.map((report) => report.bytesDone);
  expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
  for (const report of reports) expect(report.bytesDone).toBeLessThanOrEqual(bytesTotal);
  expect(reports.at(-1)).toEqual({ filesDone: filesTotal, filesTotal, bytesDone: bytesTotal, bytesTotal });
}

describe("artifact progress by bytes", () => {
  it("reports increasing bytes while ONE large file is stored, ending at its size", async () => {
    const root = tempRoot();
    const dir = join(root, "data");
    mkdirSync(dir);
    // 24 MiB: streamed (over the 8 MiB read-at-once size) in 1 MiB chunks; random so it is not a known object.
    const size = 24 * MiB + 123;
    writeFileSync(join(dir, "weights.bin"), randomBytes(size));
    const run = await initIn(root);
    const reports: ArtifactProgress[] = [];
    await run.logArtifact(dir, { name: "big", type: "model", onProgress: (p) => reports.push(p) });
    await run.finish();
    // At least one report per 4 MiB during the file (more if 100 ms pass between chunks), then the file's own.
    const during = reports.filter((p) => p.filesDone === 0);
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(during[0]?.bytesDone).toBeGreaterThan(0);
    expect(during.every((p) => p.bytesTotal === size && p.bytesDone < size)).toBe(true);
    expectMonotonic(reports, 1, size);

    // A local get hard-links: one report per file, with the version's size as the total.
    const api = new Api({ dir: root });
    try {
      const gets: ArtifactProgress[] = [];
      await (await api.artifact("tester/test/big:latest")).download({ root: join(root, "out"), onProgress: (p) => gets.push(p) });
      expect(gets).toEqual([{ filesDone: 1, filesTotal: 1, bytesDone: size, bytesTotal: size }]);
    } finally {
      api.close();
    }
  });

  it("counts a streamed file once: its chunks and then its finish add up to its size, with or without a listener", () => {
    const reports: ArtifactProgress[] = [];
    const counter = progressCounter(2, 10 * MiB + 5, (p) => reports.push(p));
    const first = counter.file();
    for (let i = 0; i < 10; i++) first.onBytes(MiB);
    first.fileDone(10 * MiB); // after all its chunks: adds nothing more
    counter.file().fileDone(5); // a small file: never streamed
    expect(reports.filter((p) => p.filesDone === 0).length).toBeGreaterThanOrEqual(2); // every 4 MiB at least
    expectMonotonic(reports, 2, 10 * MiB + 5);
    const silent = progressCounter(1, 3, undefined).file();
    silent.onBytes(3);
    expect(() => silent.fileDone(3)).not.toThrow();
  });
});
