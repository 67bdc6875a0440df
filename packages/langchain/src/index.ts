export { spanKindOf } from "./span-kind.js";
export type { SpanKind } from "./span-kind.js";
