import { describeValue, RunlogError } from "../errors.js";

/** What a tracer adapter sends to `run.recordSpan`. Times are Unix ms. */
export interface SpanRecord {
  readonly event: "start" | "end";
  readonly id: string;
  readonly traceId: string;
  readonly parentId?: string;
  readonly kind: string;
  readonly name: string;
  readonly startTime: number;
  readonly endTime?: number;
  readonly status?: "ok" | "error";
  /** inputs, outputs, error, tags, metadata, events, tokens, ttftMs, invocationParams…; an end's data is merged over the start's. */
  readonly data: Record<string, unknown>;
}

const MAX_ID = 256;
const MAX_NAME = 1000;

function text(field: string, value: unknown, max: number, optional = false): void {
  if (optional && value === undefined) return;
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan: ${field} must be a string of 1–${max} characters, got ${describeValue(value)}.`);
  }
}

export function validateSpan(span: SpanRecord): void {
  if (span === null || typeof span !== "object")
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan needs a span object, got ${describeValue(span)}.`);
  if (span.event !== "start" && span.event !== "end") {
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan: event must be "start" or "end", got ${describeValue(span.event)}.`);
  }
  text("id", span.id, MAX_ID);
  text("traceId", span.traceId, MAX_ID);
  text("parentId", span.parentId, MAX_ID, true);
  text("kind", span.kind, 64);
  text("name", span.name, MAX_NAME);
  if (!Number.isFinite(span.startTime))
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan: startTime must be Unix ms, got ${describeValue(span.startTime)}.`);
  if (span.endTime !== undefined && !Number.isFinite(span.endTime)) {
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan: endTime must be Unix ms, got ${describeValue(span.endTime)}.`);
  }
  if (span.status !== undefined && span.status !== "ok" && span.status !== "error") {
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan: status must be "ok" or "error", got ${describeValue(span.status)}.`);
  }
  if (span.data === null || typeof span.data !== "object" || Array.isArray(span.data)) {
    throw new RunlogError("INVALID_ARGUMENT", `recordSpan: data must be an object, got ${describeValue(span.data)}.`);
  }
}
