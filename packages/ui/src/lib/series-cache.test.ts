import { describe, expect, it } from "vitest";
import { SeriesCache } from "./series-cache.ts";

const one = { x: [1], last: [1], min: [1], max: [1], count: [1] };

describe("SeriesCache", () => {
  it("answers which runs a query still needs, per query", () => {
    const cache = new SeriesCache();
    const q = SeriesCache.queryKey({ key: "loss", xAxis: "_step", buckets: 400 });
    const zoomed = SeriesCache.queryKey({ key: "loss", xAxis: "_step", buckets: 400, from: 0, to: 10 });
    expect(cache.missing(q, ["a", "b"])).toEqual(["a", "b"]);
    cache.put(q, { a: one });
    expect(cache.missing(q, ["a", "b"])).toEqual(["b"]);
    expect(cache.missing(zoomed, ["a"])).toEqual(["a"]);
    expect(cache.get(q, "a")).toBe(one);
    cache.forgetRun("a");
    expect(cache.missing(q, ["a"])).toEqual(["a"]);
  });

  it("drops the oldest queries past its bound", () => {
    const cache = new SeriesCache(2);
    for (const key of ["k1", "k2", "k3"]) cache.put(SeriesCache.queryKey({ key, xAxis: "_step", buckets: 1 }), { a: one });
    expect(cache.missing(SeriesCache.queryKey({ key: "k1", xAxis: "_step", buckets: 1 }), ["a"])).toEqual(["a"]);
    expect(cache.missing(SeriesCache.queryKey({ key: "k3", xAxis: "_step", buckets: 1 }), ["a"])).toEqual([]);
  });
});
