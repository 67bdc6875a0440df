// A process that dies in the middle of a traced chain: the spans that started must survive as incomplete.
// argv: store dir. Prints the run path, then exits with code 3 from inside the chain.
import { RunnableLambda, RunnableSequence } from "@langchain/core/runnables";
import { init } from "@runlog/core";
import { RunlogTracer } from "@runlog/langchain";

const run = await init({
  dir: process.argv[2],
  project: "llm",
  entity: "tester",
  name: "crash",
  settings: { quiet: true, console: "off", disableStats: true },
});
console.log(run.path);
const tracer = new RunlogTracer({ run, _awaitHandler: true });
const die = RunnableLambda.from(() => process.exit(3)).withConfig({ runName: "dies" });
await RunnableSequence.from([RunnableLambda.from((x) => x).withConfig({ runName: "first" }), die]).invoke(1, { callbacks: [tracer] });
