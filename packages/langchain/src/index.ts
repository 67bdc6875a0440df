import "./auto-attach.js";

export { type MaskContext, RunlogTracer, type RunlogTracerOptions } from "./runlog-tracer.js";
export { DEFAULT_LIMITS, type SerializeLimits, serialize } from "./serialize.js";
export type { SpanKind } from "./span-kind.js";
export { spanKindOf } from "./span-kind.js";
export { tokenUsageOf } from "./token-usage.js";
