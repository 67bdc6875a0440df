import type { SpanKind } from "@runlog/core";

export type { SpanKind };

/**
 * Maps a LangChain callback's run type (and the serialized class id, which tells prompts
 * and parsers apart from plain chains) to a span kind.
 */
export function spanKindOf(runType: string, serializedId: readonly string[] = []): SpanKind {
  const className = serializedId[serializedId.length - 1] ?? "";
  switch (runType) {
    case "llm":
      return "llm";
    case "chat_model":
      return "chat_model";
    case "tool":
      return "tool";
    case "retriever":
      return "retriever";
    case "prompt":
      return "prompt";
    case "parser":
      return "parser";
    case "agent":
      return "agent";
  }
  if (/PromptTemplate$/.test(className)) return "prompt";
  if (/OutputParser$/.test(className)) return "parser";
  if (/Agent(Executor)?$/.test(className)) return "agent";
  return "chain";
}
