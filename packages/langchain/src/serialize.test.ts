import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { serialize } from "./serialize.js";
import { tokenUsageOf } from "./token-usage.js";

describe("serialize", () => {
  it("turns messages and documents into plain JSON and survives cycles, bigints, errors and functions", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const out = serialize({
      messages: [new HumanMessage("hi"), new AIMessage({ content: "yo", tool_calls: [{ name: "t", args: { a: 1 }, id: "1" }] })],
      doc: { pageContent: "text", metadata: { page: 2 } },
      cyclic,
      big: 10n ** 20n,
      error: new Error("bad"),
      fn: function helper() {},
      bytes: new Uint8Array(1000),
      when: new Date(0),
    }) as Record<string, unknown>;
    expect(out.messages).toEqual([
      { role: "human", content: "hi" },
      { role: "ai", content: "yo", tool_calls: [{ name: "t", args: { a: 1 }, id: "1" }] },
    ]);
    expect(out.doc).toEqual({ pageContent: "text", metadata: { page: 2 } });
    expect(out.cyclic).toEqual({ name: "loop", self: "[circular]" });
    expect(out.big).toBe("100000000000000000000");
    expect(out.error).toMatchObject({ message: "bad", stack: expect.stringContaining("Error: bad") });
    expect([out.fn, out.bytes, out.when]).toEqual(["[function helper]", "[Uint8Array, 1000 bytes]", "1970-01-01T00:00:00.000Z"]);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it("caps strings, blobs, depth and collection sizes", () => {
    const limits = { maxStringLength: 20, maxDepth: 3, maxItems: 3 };
    const blob = "Qm9va3MgYXJlIGEgdW5pcXVlbHkgcG9ydGFibGUgbWFnaWMu".repeat(20);
    expect(serialize("a".repeat(25), limits)).toBe(`${"a".repeat(20)}…[truncated 5 chars]`);
    expect(serialize(`see ${blob} end`, { ...limits, maxStringLength: 10_000 })).toBe(`see [base64, ${blob.length} chars omitted] end`);
    expect(serialize("a".repeat(600), { ...limits, maxStringLength: 10_000 })).toBe("a".repeat(600)); // one letter repeated is text
    expect(serialize({ a: { b: { c: { d: 1 } } } }, limits)).toEqual({ a: { b: { c: "[max depth]" } } });
    expect(serialize([1, 2, 3, 4, 5], limits)).toEqual([1, 2, 3, "[2 more items]"]);
  });
});

describe("tokenUsageOf", () => {
  it("reads usage from every source providers use, summing a batch", () => {
    const message = (input: number, output: number) => ({
      message: new AIMessage({ content: "", usage_metadata: { input_tokens: input, output_tokens: output, total_tokens: input + output } }),
    });
    expect(tokenUsageOf({ generations: [[message(3, 4)], [message(10, 1)]] })).toEqual({ input: 13, output: 5, total: 18 });
    expect(
      tokenUsageOf({ generations: [[{ text: "x" }]], llmOutput: { tokenUsage: { promptTokens: 7, completionTokens: 2, totalTokens: 9 } } }),
    ).toEqual({ input: 7, output: 2, total: 9 });
    expect(tokenUsageOf({ generations: [], llmOutput: { estimatedTokenUsage: { promptTokens: 1, completionTokens: 1 } } })).toEqual({
      input: 1,
      output: 1,
      total: 2,
    });
    expect(
      tokenUsageOf({
        generations: [],
        llmOutput: { usage: { input_tokens: 5, output_tokens: 6, input_token_details: { cache_creation: 2 } } },
      }),
    ).toEqual({
      input: 5,
      output: 6,
      total: 11,
      details: { cacheCreation: 2 },
    });
    expect(tokenUsageOf({ generations: [], llmOutput: { usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 } } })).toEqual({
      input: 8,
      output: 2,
      total: 10,
    });
    expect(tokenUsageOf({ generations: [[{ text: "cached" }]], llmOutput: { tokenUsage: {} } })).toBeUndefined();
    expect(tokenUsageOf(null)).toBeUndefined();
  });
});
