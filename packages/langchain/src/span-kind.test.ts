import { describe, expect, it } from "vitest";
import { spanKindOf } from "./index.js";

describe("spanKindOf", () => {
  it("keeps LangChain's own run types", () => {
    expect(spanKindOf("llm")).toBe("llm");
    expect(spanKindOf("chat_model")).toBe("chat_model");
    expect(spanKindOf("tool")).toBe("tool");
    expect(spanKindOf("retriever")).toBe("retriever");
  });

  it("tells prompts, parsers and agents apart from chains by class name", () => {
    expect(spanKindOf("chain", ["langchain_core", "prompts", "chat", "ChatPromptTemplate"])).toBe("prompt");
    expect(spanKindOf("chain", ["langchain_core", "output_parsers", "StringOutputParser"])).toBe("parser");
    expect(spanKindOf("chain", ["langchain", "agents", "AgentExecutor"])).toBe("agent");
    expect(spanKindOf("chain", ["langchain_core", "runnables", "RunnableSequence"])).toBe("chain");
  });
});
