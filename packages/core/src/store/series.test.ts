import { describe, expect, it } from "vitest";
import { type ChunkInfos, FIELDS, packStats, unpackOverlapping } from "./chunk-index.js";
import { CHUNK_POINTS, chunkStats } from "./chunks.js";
import { bucketChunks, bucketPoints, type SeriesResult } from "./series.js";
import type { Points } from "./store.js";

/** Chunks a series the way the store does, packing stats exactly as the index pages hold them. */
function chunked(
  values: number[],
  from = Number.NEGATIVE_INFINITY,
  to = Number.POSITIVE_INFINITY,
  steps: number[] = values.map((_, i) => i),
): { infos: ChunkInfos; points: Points[] } {
  const page = new Float64Array(Math.ceil(values.length / CHUNK_POINTS) * FIELDS);
  const points: Points[] = [];
  for (let start = 0, seq = 0; start < values.length; start += CHUNK_POINTS, seq++) {
    const v = Float64Array.from(values.slice(start, start + CHUNK_POINTS));
    const s = Float64Array.from(steps.slice(start, start + CHUNK_POINTS));
    packStats(page, seq, { ...chunkStats(s, v, v.length), seq, blobId: seq });
    points.push({ steps: s, values: v });
  }
  return { infos: unpackOverlapping([page], from, to), points };
}

/**
 * The oracle, written from the definition and sharing nothing with series.ts: bucket
 * floor((x - from) / width) clamped to the last, width (to - from) / n (1 when to = from);
 * per non-empty bucket the x and value of its point with the largest x, the count, and the
 * min/max of its non-NaN values (NaN when it has none).
 */
function naiveBuckets(xs: readonly number[], ys: readonly number[], n: number, from: number, to: number): SeriesResult {
  const width = to > from ? (to - from) / n : 1;
  const groups: { x: number; y: number }[][] = Array.from({ length: n }, () => []);
  xs.forEach((x, i) => {
    if (!(x >= from && x <= to)) return;
    groups[Math.min(n - 1, Math.max(0, Math.floor((x - from) / width)))]?.push({ x, y: ys[i] as number });
  });
  const out: SeriesResult = { x: [], min: [], max: [], last: [], count: [] };
  for (const group of groups) {
    if (group.length === 0) continue;
    const numbers = group.map((p) => p.y).filter((y) => !Number.isNaN(y));
    let last = group[0] as { x: number; y: number };
    for (const p of group) if (p.x >= last.x) last = p;
    out.x.push(last.x);
    out.min.push(numbers.length === 0 ? Number.NaN : numbers.reduce((a, b) => Math.min(a, b)));
    out.max.push(numbers.length === 0 ? Number.NaN : numbers.reduce((a, b) => Math.max(a, b)));
    out.last.push(last.y);
    out.count.push(group.length);
  }
  return out;
}

function loader(ranged: { infos: ChunkInfos; points: Points[] }, dense = false) {
  return async (positions: number[]) =>
    positions.map((p) => ({ ...(ranged.points[ranged.infos.seq[p] as number] as Points), ...(dense ? { dense: true } : {}) }));
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
    const steps = values.map((_, i) => i);
    expect(result).toEqual(naiveBuckets(steps, values, 20, 0, n - 1));
    // The same through the dense path (consecutive steps), at several bucket counts and ranges.
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
      expect(dense).toEqual(naiveBuckets(steps, values, buckets, from, to));
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

describe("bucketed series, hand-computed", () => {
  const cases: [string, number[], number[], number, number, number, SeriesResult][] = [
    // width 9/5 = 1.8: x 9 lands on 5.0 and is clamped into the last bucket.
    [
      "uneven width",
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      5,
      0,
      9,
      { x: [1, 3, 5, 7, 9], min: [0, 2, 4, 6, 8], max: [1, 3, 5, 7, 9], last: [1, 3, 5, 7, 9], count: [2, 2, 2, 2, 2] },
    ],
    // width 2: a point on an edge (2) opens the next bucket; empty buckets are left out.
    [
      "edges and gaps",
      [0, 1, 2, 3, 4, 8],
      [10, 11, 12, 13, 14, 18],
      4,
      0,
      8,
      { x: [1, 3, 4, 8], min: [10, 12, 14, 18], max: [11, 13, 14, 18], last: [11, 13, 14, 18], count: [2, 2, 1, 1] },
    ],
    // NaN counts and can be the last value, but never a min or max; an all-NaN bucket has NaN min/max.
    [
      "NaN values",
      [0, 1, 2, 3],
      [Number.NaN, 5, Number.NaN, Number.NaN],
      2,
      0,
      3,
      { x: [1, 3], min: [5, Number.NaN], max: [5, Number.NaN], last: [5, Number.NaN], count: [2, 2] },
    ],
    // Points outside [from, to] are left out; from = to is one bucket of width 1.
    ["a single step", [4, 5, 6], [1, 2, 3], 3, 5, 5, { x: [5], min: [2], max: [2], last: [2], count: [1] }],
    [
      "outside the range",
      [0, 10, 20, 30],
      [1, -1, 7, 9],
      2,
      10,
      20,
      { x: [10, 20], min: [-1, 7], max: [-1, 7], last: [-1, 7], count: [1, 1] },
    ],
  ];
  for (const [name, xs, ys, n, from, to, expected] of cases) {
    it(`${name}: bucketPoints, bucketChunks (sparse and dense) and the oracle agree with the hand result`, async () => {
      expect(naiveBuckets(xs, ys, n, from, to)).toEqual(expected);
      expect(bucketPoints(xs, ys, n, from, to)).toEqual(expected);
      const ranged = chunked(ys, from, to, xs);
      expect(await bucketChunks(ranged.infos, loader(ranged), n, from, to)).toEqual(expected);
      const consecutive = xs.every((x, i) => i === 0 || x === (xs[i - 1] as number) + 1);
      if (consecutive) expect(await bucketChunks(ranged.infos, loader(ranged, true), n, from, to)).toEqual(expected);
    });
  }

  it("three chunks, three buckets: each chunk fills one bucket from its stats, nothing is decoded", async () => {
    const values = Array.from({ length: 3 * CHUNK_POINTS }, (_, i) => i);
    const ranged = chunked(values);
    const result = await bucketChunks(
      ranged.infos,
      async () => {
        throw new Error("decoded a chunk that lies inside one bucket");
      },
      3,
      0,
      3 * CHUNK_POINTS - 1,
    );
    const c = CHUNK_POINTS;
    expect(result).toEqual({
      x: [c - 1, 2 * c - 1, 3 * c - 1],
      min: [0, c, 2 * c],
      max: [c - 1, 2 * c - 1, 3 * c - 1],
      last: [c - 1, 2 * c - 1, 3 * c - 1],
      count: [c, c, c],
    });
  });

  it("random series with gaps, NaN and odd widths match the oracle (seeded)", async () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 40; round++) {
      const length = 1 + Math.floor(random() * 5000);
      const xs: number[] = [];
      for (let x = Math.floor(random() * 10); xs.length < length; x += 1 + Math.floor(random() * 3)) xs.push(x);
      const ys = xs.map(() => (random() < 0.05 ? Number.NaN : random() * 200 - 100));
      const first = xs[0] as number;
      const last = xs[xs.length - 1] as number;
      const from = first + Math.floor(random() * (last - first) * 0.3);
      const to = Math.max(from, last - Math.floor(random() * (last - from) * 0.3));
      const n = 1 + Math.floor(random() * 700);
      const expected = naiveBuckets(xs, ys, n, from, to);
      const ranged = chunked(ys, from, to, xs);
      expect(await bucketChunks(ranged.infos, loader(ranged), n, from, to), `round ${round}`).toEqual(expected);
      expect(bucketPoints(xs, ys, n, from, to), `round ${round}`).toEqual(expected);
    }
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
