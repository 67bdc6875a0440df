import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Api } from "@runlog/core";
import { describe, expect, it } from "vitest";
import { allSpans, newRun, shape } from "./test-support/traced-run.js";

// examples/langchain-agent end to end (LangChain's offline fakes stand in for a remote LLM API).
const EXAMPLE = fileURLToPath(new URL("../../../examples/langchain-agent/index.mjs", import.meta.url));

describe("examples/langchain-agent", () => {
  it("traces a streamed retrieval chain and a tool-calling agent into one run", async () => {
    const { root } = await newRun("unused");
    const result = spawnSync(process.execPath, [EXAMPLE], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, RUNLOG_DIR: root },
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const api = new Api({ dir: root });
    try {
      const [run] = await api.runs("langchain-agent");
      const traces = await (run as NonNullable<typeof run>).traces();
      expect(traces.map((t) => t.name)).toEqual(["rag", "rag", "rag", "calculator-agent"]);
      const [map, ...rest] = traces[0]?.children ?? [];
      expect(rest.map((span) => shape(span))).toEqual([
        ["prompt:ChatPromptTemplate"],
        ["chat_model:StreamingUsageModel"],
        ["parser:StrOutputParser"],
      ]);
      // The map's two branches run concurrently: compare them without order.
      expect(map?.children.map((span) => JSON.stringify(shape(span))).sort()).toEqual(
        [
          ["chain:RunnableSequence", ["chain:RunnableLambda"], ["retriever:FakeRetriever"], ["chain:RunnableLambda"]],
          ["chain:RunnablePassthrough"],
        ]
          .map((s) => JSON.stringify(s))
          .sort(),
      );
      const model = allSpans(traces).find((s) => s.kind === "chat_model");
      expect(model?.ttftMs).toBeGreaterThan(0);
      expect(model?.tokens?.output).toBe(5); // one per streamed word of "Runlog keeps runs in ./runlog."
      expect(traces[0]?.inputs).toEqual({ input: "Where are runs stored?" }); // deferred by .stream(), filled at the end
      expect(shape(traces[3] as never)).toEqual([
        "agent:calculator-agent",
        ["chat_model:FakeBuiltModel"],
        ["tool:multiply"],
        ["chat_model:FakeBuiltModel"],
      ]);
      expect(run?.summary["traces/count"]).toBe(4);
      expect(run?.summary["traces/llm_calls"]).toBe(5);
    } finally {
      api.close();
    }
  });
});
