export type { SpanKind } from "./span-kind.js";
export { spanKindOf } from "./span-kind.js";
