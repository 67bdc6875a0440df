import type { TokenUsage } from "@runlog/core";

type Counts = Record<string, unknown>;
const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

function fromUsageMetadata(usage: Counts): TokenUsage {
  const input = num(usage.input_tokens);
  const output = num(usage.output_tokens);
  const details: Record<string, number> = {};
  const inputDetails = (usage.input_token_details ?? {}) as Counts;
  const outputDetails = (usage.output_token_details ?? {}) as Counts;
  if (num(inputDetails.cache_read)) details.cacheRead = num(inputDetails.cache_read);
  if (num(inputDetails.cache_creation)) details.cacheCreation = num(inputDetails.cache_creation);
  if (num(inputDetails.audio)) details.inputAudio = num(inputDetails.audio);
  if (num(outputDetails.reasoning)) details.reasoning = num(outputDetails.reasoning);
  if (num(outputDetails.audio)) details.outputAudio = num(outputDetails.audio);
  return { input, output, total: num(usage.total_tokens) || input + output, ...(Object.keys(details).length > 0 ? { details } : {}) };
}

function add(a: TokenUsage | undefined, b: TokenUsage): TokenUsage {
  if (a === undefined) return b;
  const details: Record<string, number> = { ...a.details };
  for (const [key, value] of Object.entries(b.details ?? {})) details[key] = (details[key] ?? 0) + value;
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    total: a.total + b.total,
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

/**
 * Token usage of an LLM run's output (an LLMResult), from every source providers use: each
 * generation message's `usage_metadata` (the 1.x standard, summed over a batch), else
 * `llmOutput.tokenUsage` (camelCase), `estimatedTokenUsage`, or Anthropic/Bedrock-style `usage`.
 */
export function tokenUsageOf(output: unknown): TokenUsage | undefined {
  if (output === null || typeof output !== "object") return undefined;
  const result = output as { generations?: unknown; llmOutput?: Counts };
  let total: TokenUsage | undefined;
  if (Array.isArray(result.generations)) {
    for (const batch of result.generations) {
      if (!Array.isArray(batch)) continue;
      for (const generation of batch) {
        const usage = (generation as { message?: { usage_metadata?: Counts } })?.message?.usage_metadata;
        if (usage && typeof usage === "object") total = add(total, fromUsageMetadata(usage));
      }
    }
  }
  if (total !== undefined) return total;
  const llmOutput = result.llmOutput ?? {};
  const camel = (llmOutput.tokenUsage ?? llmOutput.estimatedTokenUsage) as Counts | undefined;
  if (camel && (num(camel.promptTokens) || num(camel.completionTokens) || num(camel.totalTokens))) {
    const input = num(camel.promptTokens);
    const outputTokens = num(camel.completionTokens);
    return { input, output: outputTokens, total: num(camel.totalTokens) || input + outputTokens };
  }
  const usage = llmOutput.usage as Counts | undefined;
  if (usage && (num(usage.input_tokens) || num(usage.output_tokens) || num(usage.prompt_tokens))) {
    if (usage.input_tokens !== undefined || usage.output_tokens !== undefined) return fromUsageMetadata(usage);
    const input = num(usage.prompt_tokens);
    const outputTokens = num(usage.completion_tokens);
    return { input, output: outputTokens, total: num(usage.total_tokens) || input + outputTokens };
  }
  return undefined;
}

export { add as addTokenUsage };
