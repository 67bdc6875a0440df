import type { SpanView } from "../store/store.js";

export type SpanKind = "chain" | "llm" | "chat_model" | "tool" | "retriever" | "prompt" | "parser" | "agent";

export interface TokenUsage {
  readonly input: number;
  readonly output: number;
  readonly total: number;
  /** e.g. cacheRead, cacheCreation (input) and reasoning (output), when the provider reports them. */
  readonly details?: Readonly<Record<string, number>>;
}

/** A trace span as `ApiRun.traces()` returns it: roots with their children, in start order. Times are Unix ms. */
export interface Span {
  readonly id: string;
  readonly parentId: string | undefined;
  readonly traceId: string;
  readonly kind: SpanKind;
  readonly name: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly startTime: number;
  readonly endTime: number | undefined;
  /** "incomplete": the span never ended (still running, or the process died). */
  readonly status: "ok" | "error" | "incomplete";
  readonly error?: { readonly message: string; readonly stack?: string };
  readonly tokens?: TokenUsage;
  readonly ttftMs?: number;
  readonly invocationParams?: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly tags: string[];
  readonly events: { name: string; time: number; [key: string]: unknown }[];
  readonly children: Span[];
}

/** Builds trace trees from stored spans; a span whose parent was never recorded becomes a root. */
export function buildTraces(views: readonly SpanView[]): Span[] {
  const spans = new Map<string, Span & { children: Span[] }>();
  for (const view of views) {
    const data = view.data as Partial<Span>;
    spans.set(view.id, {
      id: view.id,
      parentId: view.parentId,
      traceId: view.traceId,
      kind: view.kind as SpanKind,
      name: view.name,
      inputs: data.inputs,
      outputs: data.outputs,
      startTime: view.startTime,
      endTime: view.endTime,
      status: view.endTime === undefined ? "incomplete" : (view.status ?? "ok"),
      ...(data.error === undefined ? {} : { error: data.error }),
      ...(data.tokens === undefined ? {} : { tokens: data.tokens }),
      ...(data.ttftMs === undefined ? {} : { ttftMs: data.ttftMs }),
      ...(data.invocationParams === undefined ? {} : { invocationParams: data.invocationParams }),
      metadata: data.metadata ?? {},
      tags: data.tags ?? [],
      events: data.events ?? [],
      children: [],
    });
  }
  const roots: Span[] = [];
  for (const span of spans.values()) {
    const parent = span.parentId === undefined ? undefined : spans.get(span.parentId);
    if (parent !== undefined && parent !== span) parent.children.push(span);
    else roots.push(span);
  }
  const byStart = (a: Span, b: Span) => a.startTime - b.startTime;
  for (const span of spans.values()) span.children.sort(byStart);
  return roots.sort(byStart);
}
