import { describe, expect, it } from "vitest";
import { CHUNK_POINTS, chunkStats } from "./chunks.js";
import { bucketChunks, bucketPoints } from "./series.js";
import type { ChunkInfo, Points } from "./store.js";

function chunked(values: number[]): { infos: ChunkInfo[]; points: Points[] } {
  const infos: ChunkInfo[] = [];
  const points: Points[] = [];
  for (let start = 0, seq = 0; start < values.length; start += CHUNK_POINTS, seq++) {
    const v = Float64Array.from(values.slice(start, start + CHUNK_POINTS));
    const s = Float64Array.from(v, (_, i) => start + i);
    const stats = chunkStats(s, v, v.length);
    infos.push({ seq, firstStep: stats.firstStep, lastStep: stats.lastStep, count: v.length, min: stats.min, max: stats.max, lastValue: Number.isNaN(stats.lastValue) ? null : stats.lastValue });
    points.push({ steps: s, values: v });
  }
  return { infos, points };
}

describe("bucketed series", () => {
  it("equals a brute-force bucketing, keeps every spike, and decodes only boundary chunks", async () => {
    const n = 200_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 1000));
    const spikes = [17, 25_003, 77_777, 123_456, 199_999]; // one per bucket
    for (const at of spikes) values[at] = 100 + at;
    const { infos, points } = chunked(values);
    let decoded = 0;
    const result = await bucketChunks(infos, async (seqs) => {
      decoded += seqs.length;
      return seqs.map((seq) => points[seq] as Points);
    }, 20, 0, n - 1);
    const brute = bucketPoints(Float64Array.from(values, (_, i) => i), values, 20, 0, n - 1);
    expect(result).toEqual(brute);
    for (const at of spikes) expect(result.max).toContain(100 + at);
    expect(result.count.reduce((a, b) => a + b, 0)).toBe(n);
    // 20 buckets over 196 chunks: only the ≤ 19 chunks that straddle a bucket edge are decoded.
    expect(decoded).toBeLessThanOrEqual(19);
  });

  it("respects a zoomed range and keeps NaN out of min/max", async () => {
    const values = Array.from({ length: 5_000 }, (_, i) => (i === 2_500 ? Number.NaN : i));
    const { infos, points } = chunked(values);
    const result = await bucketChunks(infos.filter((c) => c.lastStep >= 2_000 && c.firstStep <= 3_000), async (seqs) => seqs.map((s) => points[s] as Points), 10, 2_000, 3_000);
    expect(result.count.reduce((a, b) => a + b, 0)).toBe(1_001);
    expect(result.min[0]).toBe(2_000);
    expect(result.max[result.max.length - 1]).toBe(3_000);
    expect(result.min.every((m) => !Number.isNaN(m))).toBe(true);
  });
});
