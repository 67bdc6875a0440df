import { describe, expect, it } from "vitest";
import { jsonDepthExceeds } from "./json-body.js";

const exceeds = (text: string, limit: number) => jsonDepthExceeds(Buffer.from(text), limit);

describe("JSON depth scan", () => {
  it("counts nesting of arrays and objects, not brackets inside strings or escaped quotes", () => {
    expect(exceeds("[[1]]", 2)).toBe(false);
    expect(exceeds("[[[1]]]", 2)).toBe(true);
    expect(exceeds('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(exceeds('{"a":{"b":[{}]}}', 3)).toBe(true);
    expect(exceeds('["[[[[", "{{{{"]', 1)).toBe(false);
    expect(exceeds('["\\"[[[[", 1]', 1)).toBe(false);
    expect(exceeds('["\\\\", [[1]]]', 2)).toBe(true);
    expect(exceeds('"ü漢[[["', 0)).toBe(false);
  });

  it("depth goes back down after each closed value", () => {
    expect(exceeds(`[${"[1],".repeat(10_000)}[1]]`, 2)).toBe(false);
  });
});
