import { Document } from "@langchain/core/documents";
import { AIMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda, RunnableParallel, RunnableSequence } from "@langchain/core/runnables";
import { fakeModel } from "@langchain/core/testing";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel, FakeRetriever } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { RunlogTracer } from "./index.js";
import { allSpans, newRun, readBack, shape } from "./test-support/traced-run.js";

// Real @langchain/core runnables with its own offline fakes (no network; a fake model stands in for a remote LLM API).
const usage = {
  input_tokens: 12,
  output_tokens: 5,
  total_tokens: 17,
  input_token_details: { cache_read: 4 },
  output_token_details: { reasoning: 2 },
};

describe("RunlogTracer", () => {
  it("records a prompt → chat model → parser sequence as one tree with tokens, parents and a roll-up row", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run });
    const model = fakeModel().respond(
      new AIMessage({ content: "Paris", usage_metadata: usage, response_metadata: { model_name: "fake-1" } }),
    );
    const chain = ChatPromptTemplate.fromMessages([["human", "Capital of {country}?"]])
      .pipe(model)
      .pipe(new StringOutputParser());
    expect(await chain.invoke({ country: "France" }, { callbacks: [tracer] })).toBe("Paris");
    await run.finish();
    const { traces, rows, summary } = await readBack(root, run);
    expect(traces.map(shape)).toEqual([
      ["chain:RunnableSequence", ["prompt:ChatPromptTemplate"], ["chat_model:FakeBuiltModel"], ["parser:StrOutputParser"]],
    ]);
    const [sequence] = traces;
    const [prompt, llm, parser] = sequence?.children ?? [];
    for (const child of sequence?.children ?? []) {
      expect(child.parentId).toBe(sequence?.id);
      expect(child.traceId).toBe(sequence?.id);
      expect(child.status).toBe("ok");
      expect(child.startTime).toBeGreaterThanOrEqual(sequence?.startTime as number);
      expect(child.endTime).toBeLessThanOrEqual(sequence?.endTime as number);
    }
    expect(sequence?.inputs).toEqual({ country: "France" });
    expect(sequence?.outputs).toEqual({ output: "Paris" });
    expect(prompt?.outputs).toMatchObject({ messages: [{ role: "human", content: "Capital of France?" }] });
    expect(llm?.inputs).toEqual({ messages: [[{ role: "human", content: "Capital of France?" }]] });
    expect(llm?.tokens).toEqual({ input: 12, output: 5, total: 17, details: { cacheRead: 4, reasoning: 2 } });
    expect(parser?.outputs).toEqual({ output: "Paris" });
    const rollup = rows.find((row) => "trace/latency_ms" in row);
    expect(rollup).toMatchObject({
      "trace/spans": 4,
      "trace/llm_calls": 1,
      "trace/errors": 0,
      "trace/total_tokens": 17,
      "trace/input_tokens": 12,
    });
    expect(summary).toMatchObject({ "traces/count": 1, "traces/total_tokens": 17, "traces/llm_calls": 1 });
  });

  it("keeps parallel branches and batch calls apart: one root per input, siblings under the parallel step", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run });
    const slow = (label: string, ms: number) =>
      RunnableLambda.from(async (x: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return `${label}${x}`;
      }).withConfig({ runName: label });
    const fanOut = RunnableParallel.from({ a: slow("a", 10), b: slow("b", 1) });
    expect(await fanOut.batch([1, 2, 3], { callbacks: [tracer] })).toEqual([
      { a: "a1", b: "b1" },
      { a: "a2", b: "b2" },
      { a: "a3", b: "b3" },
    ]);
    await run.finish();
    const { traces } = await readBack(root, run);
    expect(traces).toHaveLength(3);
    for (const trace of traces) {
      expect([trace.kind, trace.name]).toEqual(["chain", "RunnableMap"]); // RunnableParallel serializes as RunnableMap
      expect(trace.children.every((c) => c.kind === "chain" && c.children.length === 0)).toBe(true);
      expect(trace.children.map((c) => c.name).sort()).toEqual(["a", "b"]);
      expect(trace.children.every((c) => c.parentId === trace.id && c.traceId === trace.id)).toBe(true);
    }
    expect(new Set(traces.map((t) => JSON.stringify(t.inputs)))).toEqual(new Set(['{"input":1}', '{"input":2}', '{"input":3}']));
  });

  it("measures time to first token when a model streams, and fills inputs deferred by .stream() at the end", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run });
    const chain = RunnableSequence.from([
      RunnableLambda.from((q: string) => q.toUpperCase()),
      new FakeListChatModel({ responses: ["hi there"], sleep: 5 }),
      new StringOutputParser(),
    ]);
    let text = "";
    for await (const chunk of await chain.stream("hello", { callbacks: [tracer] })) text += chunk;
    expect(text).toBe("hi there");
    await run.finish();
    const { traces } = await readBack(root, run);
    const [sequence] = traces;
    expect(sequence?.inputs).toEqual({ input: "hello" }); // deferred: sent with the end
    const model = allSpans(traces).find((s) => s.kind === "chat_model");
    expect(model?.ttftMs).toBeGreaterThanOrEqual(0);
    expect(model?.ttftMs).toBeLessThan((model?.endTime as number) - (model?.startTime as number) + 1);
    expect(model?.events.find((e) => e.name === "new_token")).toMatchObject({ kwargs: { count: "hi there".length } });
  });

  it("marks a failing tool and its parents as errors with message and stack, and counts the error", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run });
    const broken = tool(
      async () => {
        throw new Error("weather service down");
      },
      { name: "weather", description: "weather by city", schema: z.object({ city: z.string() }) },
    );
    const chain = RunnableLambda.from(async (city: string) => broken.invoke({ city })).withConfig({ runName: "ask" });
    await expect(chain.invoke("Oslo", { callbacks: [tracer] })).rejects.toThrow(/weather service down/);
    await run.finish();
    const { traces, rows } = await readBack(root, run);
    expect(traces.map(shape)).toEqual([["chain:ask", ["tool:weather"]]]);
    const toolSpan = traces[0]?.children[0];
    expect(toolSpan).toMatchObject({ status: "error", error: { message: expect.stringMatching(/weather service down/) } });
    expect(toolSpan?.error?.stack).toMatch(/at /);
    expect(toolSpan?.inputs).toEqual({ city: "Oslo" }); // structured tool input (core ≥ 1.2.12)
    expect(traces[0]?.status).toBe("error");
    expect(rows.find((row) => "trace/errors" in row)?.["trace/errors"]).toBe(2);
  });

  it("traces a tool-calling agent loop: agent span, model turns, tool calls and a retriever, in order", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run });
    const search = tool(async ({ query }: { query: string }) => `results for ${query}`, {
      name: "search",
      description: "web search",
      schema: z.object({ query: z.string() }),
    });
    const retriever = new FakeRetriever({ output: [new Document({ pageContent: "Oslo is in Norway", metadata: { source: "wiki" } })] });
    const model = fakeModel()
      .respondWithTools([{ name: "search", args: { query: "Oslo" }, id: "call_1" }])
      .respond(
        new AIMessage({
          content: "Oslo is the capital of Norway.",
          usage_metadata: { input_tokens: 30, output_tokens: 8, total_tokens: 38 },
        }),
      );
    const agent = RunnableLambda.from(async (question: string, config) => {
      const context = await retriever.invoke(question, config);
      const messages: unknown[] = [["human", `${question}\n${context.map((d) => d.pageContent).join("\n")}`]];
      for (let turn = 0; turn < 5; turn++) {
        const reply = (await model.invoke(messages as never, config)) as AIMessage;
        messages.push(reply);
        if (!reply.tool_calls?.length) return reply.content;
        for (const call of reply.tool_calls) messages.push(await search.invoke(call as never, config));
      }
      return "gave up";
    }).withConfig({ runName: "agent", metadata: { lc_agent_name: "demo" } });
    expect(await agent.invoke("Where is Oslo?", { callbacks: [tracer] })).toBe("Oslo is the capital of Norway.");
    await run.finish();
    const { traces, summary } = await readBack(root, run);
    expect(traces.map(shape)).toEqual([
      ["agent:agent", ["retriever:FakeRetriever"], ["chat_model:FakeBuiltModel"], ["tool:search"], ["chat_model:FakeBuiltModel"]],
    ]);
    const [retrieverSpan, firstTurn] = traces[0]?.children ?? [];
    expect(retrieverSpan?.outputs).toEqual({ documents: [{ pageContent: "Oslo is in Norway", metadata: { source: "wiki" } }] });
    expect(JSON.stringify(firstTurn?.outputs)).toMatch(/"tool_calls"/);
    expect(summary["traces/total_tokens"]).toBe(38);
    expect(summary["traces/llm_calls"]).toBe(2);
  });

  it("records each attempt of a retried step and a retry event on the step that retried", async () => {
    const { run, root } = await newRun();
    let calls = 0;
    const flaky = RunnableLambda.from((x: number) => {
      calls++;
      if (calls < 2) throw new Error(`attempt ${calls} failed`);
      return x * 10;
    }).withConfig({ runName: "flaky" });
    const retried = flaky.withRetry({ stopAfterAttempt: 2, onFailedAttempt: () => {} }); // p-retry waits ~1 s between attempts
    expect(await retried.invoke(4, { callbacks: [new RunlogTracer({ run })] })).toBe(40);
    await run.finish();
    const { traces } = await readBack(root, run);
    const [root_] = traces;
    expect(root_?.children.map((c) => [c.name, c.status, c.tags])).toEqual([
      ["flaky", "error", []],
      ["flaky", "ok", ["retry:attempt:2"]],
    ]);
    expect(root_?.events.filter((e) => e.name === "retry").map((e) => (e.kwargs as { attempt: number }).attempt)).toEqual([2]);
  });

  it("hides or masks inputs and outputs, and caps long strings and base64 images", async () => {
    const { run, root } = await newRun();
    const echo = RunnableLambda.from((x: Record<string, string>) => ({ ...x, secret: "sk-123" })).withConfig({ runName: "echo" });
    const image = `data:image/png;base64,${"A".repeat(50_000)}`;
    await echo.invoke(
      { email: "ada@example.com", long: "x".repeat(30_000), image },
      {
        callbacks: [
          new RunlogTracer({
            run,
            mask: (value) => JSON.parse(JSON.stringify(value).replaceAll("ada@example.com", "<email>").replaceAll("sk-123", "<key>")),
          }),
        ],
      },
    );
    await echo.invoke({ a: "b" }, { callbacks: [new RunlogTracer({ run, hideInputs: true, hideOutputs: true })] });
    await echo.invoke(
      { a: "b" },
      {
        callbacks: [
          new RunlogTracer({
            run,
            mask: () => {
              throw new Error("bad mask");
            },
          }),
        ],
      },
    );
    await run.finish();
    const { traces } = await readBack(root, run);
    const [masked, hidden, failed] = traces;
    const inputs = masked?.inputs as Record<string, string>;
    expect(inputs.email).toBe("<email>");
    expect(inputs.long).toMatch(/^x{10000}…\[truncated 20000 chars\]$/);
    expect(inputs.image).toBe("[image/png base64, 50000 chars omitted]");
    expect((masked?.outputs as Record<string, string> | undefined)?.secret).toBe("<key>");
    expect([hidden?.inputs, hidden?.outputs]).toEqual(["[hidden]", "[hidden]"]);
    expect([failed?.inputs, failed?.outputs]).toEqual(["[mask failed]", "[mask failed]"]);
  });

  it("attaches itself to every call with RUNLOG_LANGCHAIN_TRACING=true, on the current run", async () => {
    const { run, root } = await newRun();
    process.env.RUNLOG_LANGCHAIN_TRACING = "true";
    try {
      await RunnableLambda.from((x: number) => x + 1)
        .withConfig({ runName: "plus" })
        .invoke(1);
      await RunnableLambda.from((x: number) => x * 2)
        .withConfig({ runName: "times" })
        .invoke(2, { callbacks: [new RunlogTracer({ run })] }); // not twice
    } finally {
      delete process.env.RUNLOG_LANGCHAIN_TRACING;
    }
    await RunnableLambda.from((x: number) => x)
      .withConfig({ runName: "untraced" })
      .invoke(3);
    await run.finish();
    const { traces } = await readBack(root, run);
    expect(traces.map((t) => t.name)).toEqual(["plus", "times"]);
  });

  it("never throws into the chain: unknown ids, double ends and a tracer registered twice are handled", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run });
    expect(() => tracer.handleChainEnd({ output: 1 }, "no-such-run")).not.toThrow();
    expect(() => tracer.handleLLMError(new Error("x"), "no-such-run")).not.toThrow();
    expect(() => tracer.handleToolEnd("x", "no-such-run")).not.toThrow();
    expect(() => tracer.handleLLMNewToken("t", { prompt: 0, completion: 0 }, "no-such-run")).not.toThrow();
    await RunnableLambda.from((x: number) => x)
      .withConfig({ runName: "twice" })
      .invoke(1, { callbacks: [tracer, tracer] });
    tracer.handleChainStart({ id: ["x"] } as never, { a: 1 }, "manual", undefined);
    tracer.handleChainEnd({ b: 2 }, "manual");
    expect(() => tracer.handleChainEnd({ b: 3 }, "manual")).not.toThrow(); // second end
    expect(() => tracer.handleChainStart(undefined as never, undefined as never, "odd", undefined)).not.toThrow(); // malformed arguments
    tracer.handleChainEnd(undefined, "odd");
    expect(tracer.ignored).toBe(4); // three unknown ends and one double end
    await run.finish();
    const { traces } = await readBack(root, run);
    expect(traces.map((t) => [t.name, t.status])).toEqual([
      ["twice", "ok"],
      ["x", "ok"],
      ["chain", "ok"],
    ]);
  });

  it("finish() waits for LangChain's background callbacks, and a span still open at finish is incomplete", async () => {
    const { run, root } = await newRun();
    const tracer = new RunlogTracer({ run, _awaitHandler: false }); // callbacks in LangChain's background queue
    for (let i = 0; i < 20; i++)
      await RunnableSequence.from([RunnableLambda.from((x: number) => x + 1), RunnableLambda.from((x: number) => x * 2)]).invoke(i, {
        callbacks: [tracer],
      });
    let release: () => void = () => {};
    const pending = RunnableLambda.from(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    )
      .withConfig({ runName: "hanging" })
      .invoke(undefined, { callbacks: [tracer] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await run.finish();
    release();
    await pending;
    const { traces } = await readBack(root, run);
    expect(traces).toHaveLength(21);
    expect(traces.slice(0, 20).every((t) => t.status === "ok" && t.children.length === 2)).toBe(true);
    expect(traces[20]).toMatchObject({ name: "hanging", status: "incomplete", endTime: undefined });
  });
});

describe("a process that dies mid-trace", () => {
  it("leaves the spans that had started, marked incomplete, and the ones that ended, ok", async () => {
    const { spawnSync } = await import("node:child_process");
    const { root } = await newRun("unused");
    const child = spawnSync(process.execPath, [new URL("./test-support/crash-chain.mjs", import.meta.url).pathname, root], {
      encoding: "utf8",
    });
    expect(child.status).toBe(3);
    const path = child.stdout.trim();
    const { Api } = await import("@runlog/core");
    const api = new Api({ dir: root });
    const traces = await (await api.run(path)).traces();
    api.close();
    expect(traces.map(shape)).toEqual([["chain:RunnableSequence", ["chain:first"], ["chain:dies"]]]);
    expect([traces[0]?.status, traces[0]?.children.map((c) => c.status)]).toEqual(["incomplete", ["ok", "incomplete"]]);
  });
});
