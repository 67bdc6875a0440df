import type { BaseCallbackHandlerInput } from "@langchain/core/callbacks/base";
import { currentRun, type Run, type TokenUsage } from "@runlog/core";
import { awaitAllCallbacks, BaseCallbackHandler } from "./peer.js";
import { DEFAULT_LIMITS, type SerializeLimits, serialize } from "./serialize.js";
import { agentMarkOf, chainKindOf, type SpanKind } from "./span-kind.js";
import { addTokenUsage, tokenUsageOf } from "./token-usage.js";
import { addToTotals, hookFinish, type TraceTotals } from "./trace-totals.js";

export interface MaskContext {
  readonly field: "inputs" | "outputs";
  readonly kind: SpanKind;
  readonly name: string;
}

export interface RunlogTracerOptions extends BaseCallbackHandlerInput {
  /** The run spans are recorded on (default: the current run, `init()`'s latest; nothing is recorded without one). */
  readonly run?: Run;
  /** Record "[hidden]" instead of inputs / outputs (also RUNLOG_HIDE_INPUTS=true / RUNLOG_HIDE_OUTPUTS=true). */
  readonly hideInputs?: boolean;
  readonly hideOutputs?: boolean;
  /** Rewrites a value before it is recorded (redact emails, keys …). If it throws, the field is recorded as "[mask failed]". */
  readonly mask?: (value: unknown, context: MaskContext) => unknown;
  /** Size caps per field (see serialize.ts). */
  readonly limits?: Partial<SerializeLimits>;
}

type Serialized = { id?: string[]; name?: string } | undefined;

/** What the tracer keeps about an open span (LangChain run) until it ends. */
interface OpenSpan {
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string | undefined;
  readonly kind: SpanKind;
  readonly name: string;
  readonly startTime: number;
  readonly deferredInputs: boolean;
  readonly tags: string[];
  /** The agent this span runs in, from its metadata (see agentMarkOf). */
  readonly agentMark: string | undefined;
  events: { name: string; time: number; kwargs?: unknown }[];
  firstTokenMs?: number;
  streamedTokens: number;
}

const MAX_EVENTS = 100;

function errorOf(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: typeof error === "string" ? error : String(error) };
}

function nameOf(serialized: Serialized, runName: string | undefined, fallback: string): string {
  const name = runName ?? serialized?.name ?? serialized?.id?.[serialized.id.length - 1] ?? fallback;
  return String(name).slice(0, 1000) || fallback;
}

/** Chain outputs as LangChain's tracers store them: objects as they are, anything else under `output`. */
function asDict(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : { [key]: value };
}

/**
 * Records every LangChain run (chain, llm, chat model, tool, retriever, prompt, parser, agent) as a
 * span on a Runlog run, at start and at end — a crash leaves a partial trace marked incomplete.
 * Pass it in `callbacks: [tracer]`, or set RUNLOG_LANGCHAIN_TRACING=true to attach it to every call.
 *
 * A plain callback handler rather than a BaseTracer: it keeps only what a span needs, so its cost
 * per call is a few microseconds on top of LangChain's own dispatch. Handlers run inline by
 * default (exact timestamps, no queue; they never do I/O); with `_awaitHandler: false` they run in
 * LangChain's background queue and `run.finish()` waits for it. It never throws into the chain:
 * unknown run ids, double ends and duplicate starts are ignored.
 */
export class RunlogTracer extends BaseCallbackHandler {
  name = "runlog_tracer";
  readonly #options: RunlogTracerOptions;
  readonly #limits: SerializeLimits;
  readonly #hideInputs: boolean;
  readonly #hideOutputs: boolean;
  readonly #open = new Map<string, OpenSpan>();
  readonly #traces = new Map<string, TraceTotals>();
  /** Callbacks that named a run this tracer does not know (ended twice, or started elsewhere). */
  ignored = 0;

  constructor(options: RunlogTracerOptions = {}) {
    super({ _awaitHandler: true, ...options });
    this.#options = options;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#hideInputs = options.hideInputs ?? process.env.RUNLOG_HIDE_INPUTS === "true";
    this.#hideOutputs = options.hideOutputs ?? process.env.RUNLOG_HIDE_OUTPUTS === "true";
    if (options.run) hookFinish(options.run, awaitAllCallbacks);
  }

  /** The run to record on; a finishing run still takes spans while its finish hooks flush. */
  #target(): Run | undefined {
    const run = this.#options.run ?? currentRun();
    if (run !== undefined) hookFinish(run, awaitAllCallbacks);
    return run;
  }

  #value(field: "inputs" | "outputs", value: unknown, span: Pick<OpenSpan, "kind" | "name">): unknown {
    if (field === "inputs" ? this.#hideInputs : this.#hideOutputs) return "[hidden]";
    let masked = value;
    if (this.#options.mask) {
      try {
        masked = this.#options.mask(value, { field, kind: span.kind, name: span.name });
      } catch {
        return "[mask failed]";
      }
    }
    return serialize(masked, this.#limits);
  }

  /** Never let a tracer problem reach the user's chain. */
  #safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.ignored++;
      if (process.env.RUNLOG_DEBUG === "true") process.stderr.write(`runlog tracer: ${what} failed: ${(error as Error)?.message}\n`);
    }
  }

  #start(
    runId: string,
    parentRunId: string | undefined,
    kind: SpanKind,
    name: string,
    inputs: unknown,
    extra: { tags?: string[]; metadata?: Record<string, unknown>; invocationParams?: unknown; deferred?: boolean },
  ): void {
    this.#safely("span start", () => {
      if (this.#open.has(runId)) return; // the same tracer registered twice
      const target = this.#target();
      if (target === undefined) return;
      const parent = parentRunId === undefined ? undefined : this.#open.get(parentRunId);
      const traceId = parent?.traceId ?? runId;
      const span: OpenSpan = {
        id: runId,
        traceId,
        parentId: parentRunId,
        kind,
        name,
        startTime: Date.now(),
        deferredInputs: extra.deferred === true,
        tags: extra.tags ?? [],
        agentMark: agentMarkOf(extra.metadata),
        events: [],
        streamedTokens: 0,
      };
      this.#open.set(runId, span);
      // RunnableRetry runs each attempt as a child tagged retry:attempt:N; a retry is an event on the parent.
      const attempt = span.tags.find((tag) => tag.startsWith("retry:attempt:"));
      if (parent && attempt && attempt !== "retry:attempt:1" && parent.events.length < MAX_EVENTS) {
        parent.events.push({ name: "retry", time: span.startTime, kwargs: { attempt: Number(attempt.slice("retry:attempt:".length)) } });
      }
      let trace = this.#traces.get(traceId);
      if (trace === undefined) {
        trace = { spans: 0, llmCalls: 0, errors: 0, tokens: undefined };
        this.#traces.set(traceId, trace);
      }
      trace.spans++;
      if (kind === "llm" || kind === "chat_model") trace.llmCalls++;
      target.recordSpan({
        event: "start",
        id: runId,
        traceId,
        ...(parentRunId ? { parentId: parentRunId } : {}),
        kind,
        name,
        startTime: span.startTime,
        data: {
          ...(span.deferredInputs ? {} : { inputs: this.#value("inputs", inputs, span) }),
          tags: span.tags,
          metadata: serialize(extra.metadata ?? {}, this.#limits),
          ...(extra.invocationParams ? { invocationParams: serialize(extra.invocationParams, this.#limits) } : {}),
        },
      });
    });
  }

  #end(runId: string, outcome: { outputs?: unknown; error?: unknown; inputs?: unknown; tokens?: TokenUsage }): void {
    const span = this.#open.get(runId);
    if (span === undefined) {
      this.ignored++; // never started here, or already ended
      return;
    }
    this.#open.delete(runId);
    this.#safely("span end", () => {
      const target = this.#target();
      if (target === undefined) return;
      const failed = outcome.error !== undefined;
      const trace = this.#traces.get(span.traceId);
      if (trace) {
        if (failed) trace.errors++;
        if (outcome.tokens) trace.tokens = addTokenUsage(trace.tokens, outcome.tokens);
      }
      const endTime = Date.now();
      const events =
        span.streamedTokens > 0
          ? [...span.events, { name: "new_token", time: span.startTime + (span.firstTokenMs ?? 0), kwargs: { count: span.streamedTokens } }]
          : span.events;
      target.recordSpan({
        event: "end",
        id: span.id,
        traceId: span.traceId,
        ...(span.parentId ? { parentId: span.parentId } : {}),
        kind: span.kind,
        name: span.name,
        startTime: span.startTime,
        endTime,
        status: failed ? "error" : "ok",
        data: {
          ...(span.deferredInputs && outcome.inputs !== undefined ? { inputs: this.#value("inputs", outcome.inputs, span) } : {}),
          ...(failed ? { error: errorOf(outcome.error) } : { outputs: this.#value("outputs", outcome.outputs, span) }),
          events,
          ...(outcome.tokens ? { tokens: outcome.tokens } : {}),
          ...(span.firstTokenMs === undefined ? {} : { ttftMs: span.firstTokenMs }),
        },
      });
      if (span.traceId === span.id && trace) {
        this.#traces.delete(span.traceId);
        // The trace's root ended: its totals become a history row (charts like any metric) and add to the summary.
        target.log({
          "trace/latency_ms": endTime - span.startTime,
          "trace/spans": trace.spans,
          "trace/llm_calls": trace.llmCalls,
          "trace/errors": trace.errors,
          "trace/input_tokens": trace.tokens?.input ?? 0,
          "trace/output_tokens": trace.tokens?.output ?? 0,
          "trace/total_tokens": trace.tokens?.total ?? 0,
        });
        addToTotals(target, trace);
      }
    });
  }

  #event(runId: string, name: string, kwargs: unknown): void {
    const span = this.#open.get(runId);
    if (span === undefined || span.events.length >= MAX_EVENTS) return;
    span.events.push({ name, time: Date.now(), kwargs: serialize(kwargs, this.#limits) });
  }

  override handleChainStart(
    chain: Serialized,
    inputs: unknown,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runType?: string,
    runName?: string,
    extra?: Record<string, unknown>,
  ): void {
    const parentMark = parentRunId === undefined ? undefined : this.#open.get(parentRunId)?.agentMark;
    const kind = chainKindOf(runType ?? "chain", chain?.id ?? [], agentMarkOf(metadata), parentMark);
    this.#start(runId, parentRunId, kind, nameOf(chain, runName, kind), inputs, {
      tags,
      metadata,
      deferred: extra?.lc_defers_inputs === true,
    });
  }

  override handleChainEnd(outputs: unknown, runId: string, _parentRunId?: string, _tags?: string[], kwargs?: { inputs?: unknown }): void {
    this.#end(runId, {
      outputs: asDict(outputs, "output"),
      ...(kwargs?.inputs === undefined ? {} : { inputs: asDict(kwargs.inputs, "input") }),
    });
  }

  override handleChainError(error: unknown, runId: string, _parentRunId?: string, _tags?: string[], kwargs?: { inputs?: unknown }): void {
    this.#end(runId, { error, ...(kwargs?.inputs === undefined ? {} : { inputs: asDict(kwargs.inputs, "input") }) });
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.#start(
      runId,
      parentRunId,
      "llm",
      nameOf(llm, runName, "llm"),
      { prompts },
      { tags, metadata, invocationParams: extraParams?.invocation_params },
    );
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: unknown[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.#start(
      runId,
      parentRunId,
      "chat_model",
      nameOf(llm, runName, "chat_model"),
      { messages },
      { tags, metadata, invocationParams: extraParams?.invocation_params },
    );
  }

  override handleLLMNewToken(_token: string, _idx: unknown, runId: string): void {
    const span = this.#open.get(runId);
    if (span === undefined) return;
    if (span.firstTokenMs === undefined) span.firstTokenMs = Date.now() - span.startTime;
    span.streamedTokens++;
  }

  override handleLLMEnd(
    output: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    extraParams?: Record<string, unknown>,
  ): void {
    const tokens = tokenUsageOf(output);
    if (extraParams?.cached === true) this.#event(runId, "cache_hit", {});
    this.#end(runId, { outputs: output, ...(tokens ? { tokens } : {}) });
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.#end(runId, { error });
  }

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    // Non-tracer handlers get structured tool input as JSON text: read it back as an object.
    let inputs: unknown = input;
    if (typeof input === "string" && input.startsWith("{")) {
      try {
        inputs = JSON.parse(input);
      } catch {}
    }
    this.#start(runId, parentRunId, "tool", nameOf(tool, runName, "tool"), inputs, { tags, metadata });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.#end(runId, { outputs: asDict(output, "output") });
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#end(runId, { error });
  }

  override handleRetrieverStart(
    retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    this.#start(runId, parentRunId, "retriever", nameOf(retriever, name, "retriever"), { query }, { tags, metadata });
  }

  override handleRetrieverEnd(documents: unknown, runId: string): void {
    this.#end(runId, { outputs: { documents } });
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.#end(runId, { error });
  }

  /** Classic AgentExecutor actions are events on the chain span that made them (not spans of their own). */
  override handleAgentAction(action: unknown, runId: string): void {
    this.#event(runId, "agent_action", action);
  }

  override handleAgentEnd(action: unknown, runId: string): void {
    this.#event(runId, "agent_end", action);
  }

  override handleText(text: string, runId: string): void {
    this.#event(runId, "text", { text });
  }

  /** Custom events (`dispatchCustomEvent`) become events on the span that dispatched them. */
  override handleCustomEvent(eventName: string, data: unknown, runId: string): void {
    this.#event(runId, eventName, { data });
  }
}
