import { describe, expect, it } from "vitest";
import { type ChunkInfos, FIELDS, packStats, unpackOverlapping } from "./chunk-index.js";
import { CHUNK_POINTS, chunkStats } from "./chunks.js";
import { bucketChunks, bucketPoints } from "./series.js";
import type { Points } from "./store.js";

/** Chunks a series the way the store does, packing stats exactly as the index pages hold them. */
function chunked(
  values: number[],
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
): { infos: ChunkInfos; points: Points[] } {
  const page = new Float64Array(Math.ceil(values.length / CHUNK_POINTS) * FIELDS);
  const points: Points[] = [];
  for (let start = 0, seq = 0; start < values.length; start += CHUNK_POINTS, seq++) {
    const v = Float64Array.from(values.slice(start, start + CHUNK_POINTS));
    const s = Float64Array.from(v, (_, i) => start + i);
    packStats(page, seq, { ...chunkStats(s, v, v.length), seq });
    points.push({ steps: s, values: v });
  }
  return { infos: unpackOverlapping([page], from, to), points };
}

describe("bucketed series", () => {
  it("equals a brute-force bucketing, keeps every spike, and decodes only boundary chunks", async () => {
    const n = 200_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 1000));
    const spikes = [17, 25_003, 77_777, 123_456, 199_999]; // one per bucket
    for (const at of spikes) values[at] = 100 + at;
    const { infos, points } = chunked(values);
    let decoded = 0;
    const result = await bucketChunks(
      infos,
      async (positions) => {
        decoded += positions.length;
        return positions.map((p) => points[infos.seq[p] as number] as Points);
      },
      20,
      0,
      n - 1,
    );
    const brute = bucketPoints(
      Float64Array.from(values, (_, i) => i),
      values,
      20,
      0,
      n - 1,
    );
    expect(result).toEqual(brute);
    // The same through the dense path (consecutive steps), at several bucket counts and ranges.
    const xs = Float64Array.from(values, (_, i) => i);
    for (const [buckets, from, to] of [
      [20, 0, n - 1],
      [997, 0, n - 1],
      [333, 12_345, 150_000],
      [1, 0, n - 1],
      [50_000, 0, n - 1],
    ] as const) {
      const ranged = chunked(values, from, to);
      const dense = await bucketChunks(
        ranged.infos,
        async (positions) => positions.map((p) => ({ ...(ranged.points[ranged.infos.seq[p] as number] as Points), dense: true })),
        buckets,
        from,
        to,
      );
      expect(dense).toEqual(bucketPoints(xs, values, buckets, from, to));
    }
    for (const at of spikes) expect(result.max).toContain(100 + at);
    expect(result.count.reduce((a, b) => a + b, 0)).toBe(n);
    // 20 buckets over 196 chunks: only the ≤ 19 chunks that straddle a bucket edge are decoded.
    expect(decoded).toBeLessThanOrEqual(19);
    expect(infos.length).toBe(196);
  });

  it("respects a zoomed range and keeps NaN out of min/max", async () => {
    const values = Array.from({ length: 5_000 }, (_, i) => (i === 2_500 ? Number.NaN : i));
    const { infos, points } = chunked(values, 2_000, 3_000);
    expect(Array.from(infos.seq)).toEqual([1, 2]);
    const result = await bucketChunks(
      infos,
      async (positions) => positions.map((p) => points[infos.seq[p] as number] as Points),
      10,
      2_000,
      3_000,
    );
    expect(result.count.reduce((a, b) => a + b, 0)).toBe(1_001);
    expect(result.min[0]).toBe(2_000);
    expect(result.max[result.max.length - 1]).toBe(3_000);
    expect(result.min.every((m) => !Number.isNaN(m))).toBe(true);
  });
});

describe("step encoding", () => {
  it("stores consecutive steps as nothing and everything else in full, round-tripping exactly", async () => {
    const { decodeSteps, encodeSteps } = await import("./chunks.js");
    const dense = Float64Array.from({ length: 1024 }, (_, i) => 5_000 + i);
    expect(encodeSteps(dense, dense.length).byteLength).toBe(0);
    expect(decodeSteps(encodeSteps(dense, dense.length), 5_000, 1024)).toEqual(dense);
    const gapped = Float64Array.from([0, 2, 4, 6]);
    expect(encodeSteps(gapped, 4).byteLength).toBe(32);
    expect(decodeSteps(encodeSteps(gapped, 4), 0, 4)).toEqual(gapped);
    const fractional = Float64Array.from([0.5, 1.5, 2.5]); // runtime seconds (system metrics) are not steps+1
    expect(decodeSteps(encodeSteps(fractional, 3), 0.5, 3)).toEqual(fractional);
  });
});
