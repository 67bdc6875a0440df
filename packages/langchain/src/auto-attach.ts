import { registerConfigureHook } from "./peer.js";
import { RunlogTracer } from "./runlog-tracer.js";

/**
 * With RUNLOG_LANGCHAIN_TRACING=true every LangChain call gets a RunlogTracer on the current run
 * (`init()`'s latest), through @langchain/core's configure hook: no `callbacks` to pass. LangChain
 * skips it where a tracer of the same name is already attached.
 */
registerConfigureHook({ handlerClass: RunlogTracer, envVar: "RUNLOG_LANGCHAIN_TRACING", inheritable: true });
