// Artifacts: hashing vs sha256sum on a 1 GB file set; re-logging an unchanged 1 GB / 10,000-file
// directory; download() of a cached 1 GB artifact.
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { init } from "@runlog/core";
import { hashFile } from "../packages/core/dist/artifacts/object-store.js";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const GB = 1 << 30;

function makeFiles(dir, count, size) {
  mkdirSync(dir, { recursive: true });
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < count; i++) {
    randomFillSync(buffer);
    writeFileSync(join(dir, `part-${String(i).padStart(5, "0")}.bin`), buffer);
  }
  return readdirSync(dir).map((f) => join(dir, f));
}

function dirBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true })) {
    const s = statSync(join(dir, entry));
    if (s.isFile()) total += s.size;
  }
  return total;
}

const work = tempDir("artifacts");
try {
  // 1. Hashing throughput on 100 × 10 MB (files warm in the page cache for both).
  const files = makeFiles(join(work, "set"), 100, 10 * 1024 * 1024);
  execFileSync("cat", files, { stdio: ["ignore", "ignore", "ignore"], maxBuffer: 0 });
  const baseline = [];
  const ours = [];
  for (let i = 0; i < 3; i++) {
    let t0 = performance.now();
    execFileSync("sha256sum", files, { stdio: ["ignore", "ignore", "inherit"] });
    baseline.push(performance.now() - t0);
    t0 = performance.now();
    for (let j = 0; j < files.length; j += 8) await Promise.all(files.slice(j, j + 8).map(hashFile));
    ours.push(performance.now() - t0);
  }
  const [b, o] = [median(baseline), median(ours)];
  console.log(
    `hashing 1 GB (sha256 + md5 in one pass): ${(GB / 2 ** 20 / (o / 1000)).toFixed(0)} MB/s; sha256sum ${(GB / 2 ** 20 / (b / 1000)).toFixed(0)} MB/s (sha256 only)`,
  );
  report("hashing vs sha256sum", `${((100 * b) / o).toFixed(0)}%`, "", "≥ 90 %", b / o >= 0.9);

  // 2 + 3. A 1 GB / 10,000-file directory: log once, then re-log unchanged; then download from the cache.
  const dataDir = join(work, "data");
  makeFiles(dataDir, 10_000, 100 * 1024 + 1024);
  const root = join(work, "root");
  const run = await init({ dir: root, project: "bench", settings: QUIET });
  let t0 = performance.now();
  const first = await run.logArtifact(dataDir, { name: "big", type: "dataset" });
  const firstMs = performance.now() - t0;
  const objects = join(root, "artifacts", "objects");
  const storedBefore = dirBytes(objects);
  const relog = [];
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    const again = await run.logArtifact(dataDir, { name: "big", type: "dataset" });
    relog.push(performance.now() - t0);
    if (again.version !== first.version) throw new Error("re-logging unchanged content created a version");
  }
  const written = dirBytes(objects) - storedBefore;
  const relogMs = median(relog);
  console.log(
    `1 GB / 10,000 files: first log ${firstMs.toFixed(0)} ms; re-log unchanged ${relogMs.toFixed(0)} ms (median of 3), ${written} bytes written`,
  );
  report("re-log unchanged 1 GB / 10,000 files", relogMs.toFixed(0), "ms", "≤ 500 ms, 0 bytes", relogMs <= 500 && written === 0);

  const used = await run.useArtifact("big:latest");
  const downloads = [];
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    await used.download({ root: join(work, `download-${i}`) });
    downloads.push(performance.now() - t0);
  }
  await run.finish();
  const downloadMs = median(downloads);
  console.log(
    `download() of the cached 1 GB artifact: ${downloadMs.toFixed(0)} ms (median of 3, hard links); a copy of the same data: ~${(firstMs / 2).toFixed(0)} ms+`,
  );
  report("download() of a cached 1 GB artifact", downloadMs.toFixed(0), "ms", "≤ 1000 ms", downloadMs <= 1000);
} finally {
  cleanup(work);
}
