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

/**
 * What marks a chain as (part of) an agent in its metadata: the agent's name, LangSmith's agent type,
 * or langchain v1's `createAgent` integration tag. Every step inside an agent inherits the mark, so
 * only the chain where the mark starts (its parent lacks it, or has another) is the agent itself.
 */
export function agentMarkOf(metadata: Record<string, unknown> | undefined): string | undefined {
  const mark = metadata?.lc_agent_name ?? metadata?.ls_agent_type ?? (metadata?.ls_integration === CREATE_AGENT ? CREATE_AGENT : undefined);
  return mark === undefined || mark === null ? undefined : String(mark);
}

const CREATE_AGENT = "langchain_create_agent";

/** The span kind of a chain run, given its agent mark and its parent's. */
export function chainKindOf(
  runType: string,
  serializedId: readonly string[],
  agentMark: string | undefined,
  parentAgentMark: string | undefined,
): SpanKind {
  // createAgent's graph is a CompiledStateGraph; its nodes are plain runnables, so an agent nested in
  // another (unnamed, same mark) is still told apart by its class.
  const isGraph = serializedId[serializedId.length - 1] === "CompiledStateGraph";
  if (runType === "chain" && agentMark !== undefined && (agentMark !== parentAgentMark || isGraph)) return "agent";
  return spanKindOf(runType, serializedId);
}
