import { tool } from "@langchain/core/tools";
import { createAgent, FakeToolCallingModel } from "langchain";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { RunlogTracer } from "./index.js";
import { allSpans, newRun, readBack } from "./test-support/traced-run.js";

// langchain v1's real createAgent (a LangGraph graph) over FakeToolCallingModel, the fake chat model
// langchain ships for its own agent tests: a remote LLM cannot run here. It calls the tool, then answers.
const add = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "add",
  description: "Adds two numbers.",
  schema: z.object({ a: z.number(), b: z.number() }),
});
const callsAddThenAnswers = () => new FakeToolCallingModel({ toolCalls: [[{ name: "add", args: { a: 2, b: 3 }, id: "call_1" }], []] });

describe("createAgent", () => {
  it("records an unnamed createAgent root as kind agent, and its graph steps as chains", async () => {
    const { run, root } = await newRun();
    const agent = createAgent({ model: callsAddThenAnswers(), tools: [add] });
    const out = await agent.invoke({ messages: [{ role: "user", content: "2+3?" }] }, { callbacks: [new RunlogTracer({ run })] });
    expect(out.messages.at(-1)?.content).toContain("5");
    await run.finish();
    const { traces } = await readBack(root, run);
    expect(traces).toHaveLength(1);
    const [agentSpan] = traces;
    expect([agentSpan?.kind, agentSpan?.name]).toEqual(["agent", "LangGraph"]);
    const spans = allSpans(traces);
    expect(spans.filter((s) => s.kind === "agent")).toHaveLength(1);
    expect(spans.filter((s) => s.name === "model_request").map((s) => s.kind)).toEqual(["chain", "chain"]);
    expect(spans.filter((s) => s.kind === "tool").map((s) => s.name)).toEqual(["add"]);
    expect(spans.filter((s) => s.kind === "chat_model")).toHaveLength(2);
  });

  it("records a named agent under its name, and an agent called from another agent's tool as a nested agent", async () => {
    const { run, root } = await newRun();
    const inner = createAgent({ model: callsAddThenAnswers(), tools: [add] });
    const ask = tool(
      async ({ question }: { question: string }, config) => {
        const result = await inner.invoke({ messages: [{ role: "user", content: question }] }, config);
        return String(result.messages.at(-1)?.content);
      },
      { name: "ask_calculator", description: "Asks the calculator agent.", schema: z.object({ question: z.string() }) },
    );
    const outerModel = new FakeToolCallingModel({
      toolCalls: [[{ name: "ask_calculator", args: { question: "2+3?" }, id: "call_9" }], []],
    });
    const outer = createAgent({ model: outerModel, tools: [ask], name: "planner" });
    await outer.invoke({ messages: [{ role: "user", content: "plan" }] }, { callbacks: [new RunlogTracer({ run })] });
    await run.finish();
    const { traces } = await readBack(root, run);
    const spans = allSpans(traces);
    expect([traces[0]?.kind, traces[0]?.name]).toEqual(["agent", "planner"]);
    expect(spans.filter((s) => s.kind === "agent").map((s) => s.name)).toEqual(["planner", "LangGraph"]);
    const askSpan = spans.find((s) => s.name === "ask_calculator");
    expect(askSpan?.kind).toBe("tool");
    expect(askSpan?.children.map((c) => `${c.kind}:${c.name}`)).toEqual(["agent:LangGraph"]);
    expect(spans.filter((s) => s.name === "model_request").every((s) => s.kind === "chain")).toBe(true);
  });
});
