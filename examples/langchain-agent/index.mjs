// LangChain.js traced into Runlog, fully offline: a retrieval chain (retriever → prompt → a chat
// model that streams and reports token usage → parser) and a tool-calling agent loop, all built
// from @langchain/core's test fakes. Every call becomes a span; each trace's latency, tokens and
// errors are logged to the run's history. Look at them with `npx runlog ui` → the run → traces.
import { Document } from "@langchain/core/documents";
import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableLambda, RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import { fakeModel } from "@langchain/core/testing";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel, FakeRetriever } from "@langchain/core/utils/testing";
import { Api, init } from "@runlog/core";
import { RunlogTracer } from "@runlog/langchain";
import { z } from "zod";

/** FakeListChatModel streams its answer word by word; this one also reports usage on the last chunk, as real providers do. */
class StreamingUsageModel extends FakeListChatModel {
  async *_streamResponseChunks(messages, _options, runManager) {
    const words = this.responses[this.i++ % this.responses.length].split(/(?<= )/);
    for (const word of words) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      const chunk = new ChatGenerationChunk({ text: word, message: new AIMessageChunk({ content: word }) });
      await runManager?.handleLLMNewToken(word, undefined, undefined, undefined, undefined, { chunk });
      yield chunk;
    }
    const prompt = messages
      .map((m) => String(m.content))
      .join(" ")
      .split(/\s+/).length;
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        usage_metadata: { input_tokens: prompt, output_tokens: words.length, total_tokens: prompt + words.length },
      }),
    });
  }
}

const run = await init({ project: "langchain-agent", jobType: "inference", config: { retriever: "fake", model: "streaming-usage-fake" } });
const tracer = new RunlogTracer({ run });

// 1. Retrieval chain, streamed.
const retriever = new FakeRetriever({
  output: [
    new Document({ pageContent: "Runlog stores runs in ./runlog.", metadata: { source: "README" } }),
    new Document({ pageContent: "Traces are kept per run.", metadata: { source: "docs" } }),
  ],
});
const prompt = ChatPromptTemplate.fromMessages([
  ["system", "Answer from the context.\n{context}"],
  ["human", "{question}"],
]);
const rag = RunnableSequence.from([
  {
    context: RunnableLambda.from((q) => q)
      .pipe(retriever)
      .pipe((docs) => docs.map((d) => d.pageContent).join("\n")),
    question: new RunnablePassthrough(),
  },
  prompt,
  new StreamingUsageModel({ responses: ["Runlog keeps runs in ./runlog.", "Per run, with every span.", "I do not know."] }),
  new StringOutputParser(),
]).withConfig({ runName: "rag" });
for (const question of ["Where are runs stored?", "How are traces kept?", "What is the meaning of life?"]) {
  let answer = "";
  for await (const chunk of await rag.stream(question, { callbacks: [tracer] })) answer += chunk;
  console.log(`Q: ${question}\nA: ${answer}`);
}

// 2. A tool-calling agent loop: the model asks for the calculator, then answers.
const calculator = tool(async ({ a, b }) => String(a * b), {
  name: "multiply",
  description: "a × b",
  schema: z.object({ a: z.number(), b: z.number() }),
});
const model = fakeModel()
  .respondWithTools([{ name: "multiply", args: { a: 6, b: 7 }, id: "call_1" }])
  .respond(new AIMessage({ content: "6 × 7 = 42", usage_metadata: { input_tokens: 40, output_tokens: 6, total_tokens: 46 } }));
const agent = RunnableLambda.from(async (question, config) => {
  const messages = [["human", question]];
  for (let turn = 0; turn < 4; turn++) {
    const reply = await model.invoke(messages, config);
    messages.push(reply);
    if (!reply.tool_calls?.length) return reply.content;
    for (const call of reply.tool_calls) messages.push(await calculator.invoke(call, config));
  }
  return "no answer";
}).withConfig({ runName: "calculator-agent", metadata: { lc_agent_name: "calculator" } });
console.log(`agent: ${await agent.invoke("What is 6 times 7?", { callbacks: [tracer] })}`);

await run.finish();
const stored = await new Api().run(run.path);
const traces = await stored.traces();
console.log(
  `\n${traces.length} traces on ${run.path}: ${traces.map((t) => `${t.name} (${t.children.length} children, ${t.endTime - t.startTime} ms)`).join(", ")}`,
);
console.log(
  `tokens: ${stored.summary["traces/total_tokens"]} over ${stored.summary["traces/llm_calls"]} LLM calls; see them in the dashboard: npx runlog ui`,
);
