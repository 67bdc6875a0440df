import { describe, expect, it } from "vitest";
import { decodeJson } from "./json.ts";
import { SseParser } from "./sse.ts";

describe("SseParser", () => {
  it("returns whole events however the text is split, and joins multi-line data", () => {
    const parser = new SseParser();
    expect(parser.push("event: rows\ndata: [1,")).toEqual([]);
    expect(parser.push("2]\n\nevent: state\ndata: a\ndata: b\n\n: comment\n\n")).toEqual([
      { event: "rows", data: "[1,2]" },
      { event: "state", data: "a\nb" },
    ]);
  });
});

describe("decodeJson", () => {
  it("reads the server's tagged NaN, Infinity and big integers", () => {
    const value = decodeJson<Record<string, unknown>>(
      '{"a":{"__runlog_number":"NaN"},"b":{"__runlog_number":"-Infinity"},"c":{"__runlog_bigint":"9007199254740993"},"d":{"__runlog_number":"x","y":1}}',
    );
    expect(value.a).toBeNaN();
    expect(value.b).toBe(Number.NEGATIVE_INFINITY);
    expect(value.c).toBe(9007199254740993n);
    expect(value.d).toEqual({ __runlog_number: "x", y: 1 });
  });
});
