// Per-LLM-call overhead of RunlogTracer (issue 7: ≤ 30 µs, and below LangSmith's LangChainTracer
// sending to a local HTTP sink), measured in the same process against the same fake chat model
// with no tracer. Each measurement includes draining LangChain's background callback queue.
import { createServer } from "node:http";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { LangChainTracer } from "@langchain/core/tracers/tracer_langchain";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { init } from "@runlog/core";
import { RunlogTracer } from "@runlog/langchain";
import { Client } from "langsmith";
import { cleanup, median, QUIET, report, tempDir } from "./util.mjs";

const CALLS = 2000;
const ROUNDS = 11;
const model = new FakeListChatModel({ responses: ["ok"] }); // cycles its answer forever
const messages = [["human", "hello"]];

// LangSmith's tracer needs an endpoint: a local sink that accepts every batch.
let received = 0;
const sink = createServer((request, response) => {
  request.on("data", (chunk) => {
    received += chunk.length;
  });
  request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
});
await new Promise((resolve) => sink.listen(0, "127.0.0.1", resolve));
const client = new Client({ apiUrl: `http://127.0.0.1:${sink.address().port}`, apiKey: "bench", autoBatchTracing: true });

const dir = tempDir("langchain");
const run = await init({ dir, project: "bench", settings: QUIET });
// "noop" is a callback handler that does nothing: what LangChain's own callback dispatch costs any tracer.
const noop = BaseCallbackHandler.fromMethods({ handleChatModelStart() {}, handleLLMEnd() {} });
const tracers = {
  none: undefined,
  noop,
  runlog: new RunlogTracer({ run }),
  langsmith: new LangChainTracer({ client, projectName: "bench" }),
};

async function perCall(tracer) {
  const options = tracer ? { callbacks: [tracer] } : {};
  globalThis.gc?.(); // npm run bench passes --expose-gc: no round pays for the garbage of the one before
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await model.invoke(messages, options);
  await awaitAllCallbacks();
  if (tracer === tracers.langsmith) await client.awaitPendingTraceBatches();
  return ((performance.now() - started) * 1000) / CALLS;
}

for (const tracer of Object.values(tracers)) await perCall(tracer); // warm up
const samples = { none: [], noop: [], runlog: [], langsmith: [] };
for (let round = 0; round < ROUNDS; round++)
  for (const [name, tracer] of Object.entries(tracers)) samples[name].push(await perCall(tracer));
await run.finish();
sink.close();
cleanup(dir);

const untraced = median(samples.none);
const base = median(samples.noop);
const runlog = median(samples.runlog) - base;
const langsmith = median(samples.langsmith) - base;
console.log(
  `LangChain chat call: ${untraced.toFixed(1)} µs without callbacks, ${base.toFixed(1)} µs with a no-op handler (LangChain's dispatch). Over that: RunlogTracer +${runlog.toFixed(1)} µs, LangSmith LangChainTracer (local sink, ${(received / 1e6).toFixed(1)} MB received) +${langsmith.toFixed(1)} µs → ${(langsmith / runlog).toFixed(1)}× ours`,
);
report(
  "RunlogTracer overhead per LLM call",
  runlog.toFixed(1),
  "µs",
  "≤ 30 µs and below LangSmith's tracer",
  runlog <= 30 && runlog < langsmith,
);
