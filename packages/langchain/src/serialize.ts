/**
 * Turns whatever LangChain hands a callback (messages, documents, LLM results, live objects that
 * change later) into plain JSON now, within limits, so one trace can never blow up the store:
 * long strings and base64 payloads are cut with a marker, depth and collection sizes are capped,
 * cycles and functions are replaced.
 */
export interface SerializeLimits {
  /** Longest string kept whole (default 10,000 characters). */
  readonly maxStringLength: number;
  readonly maxDepth: number;
  /** Most array items / object keys kept (default 200). */
  readonly maxItems: number;
}

export const DEFAULT_LIMITS: SerializeLimits = { maxStringLength: 10_000, maxDepth: 12, maxItems: 200 };

const DATA_URL = /^data:([\w/+.-]+);base64,/;
const BASE64_RUN = /[A-Za-z0-9+/=]{512,}/g;

function cutString(text: string, limits: SerializeLimits): string {
  const dataUrl = DATA_URL.exec(text);
  if (dataUrl) return `[${dataUrl[1]} base64, ${text.length - dataUrl[0].length} chars omitted]`;
  // A long run of base64 characters that mixes cases and digits is an encoded blob, not text.
  const isBlob = (run: string) => /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9+/]/.test(run);
  const withoutBlobs =
    text.length > 512 ? text.replace(BASE64_RUN, (run) => (isBlob(run) ? `[base64, ${run.length} chars omitted]` : run)) : text;
  if (withoutBlobs.length <= limits.maxStringLength) return withoutBlobs;
  return `${withoutBlobs.slice(0, limits.maxStringLength)}…[truncated ${withoutBlobs.length - limits.maxStringLength} chars]`;
}

type Message = {
  content?: unknown;
  tool_calls?: unknown;
  usage_metadata?: unknown;
  name?: unknown;
  getType?: () => string;
  _getType?: () => string;
};

function messageRole(value: Message): string | undefined {
  try {
    if (typeof value.getType === "function") return value.getType();
    if (typeof value._getType === "function") return value._getType();
  } catch {}
  return undefined;
}

export function serialize(value: unknown, limits: SerializeLimits = DEFAULT_LIMITS): unknown {
  const seen = new WeakSet<object>();
  const visit = (item: unknown, depth: number): unknown => {
    if (item === null || item === undefined) return item ?? null;
    switch (typeof item) {
      case "string":
        return cutString(item, limits);
      case "number":
      case "boolean":
        return item;
      case "bigint":
        return item.toString();
      case "function":
        return `[function ${item.name || "anonymous"}]`;
      case "symbol":
        return item.toString();
    }
    const object = item as object;
    if (depth >= limits.maxDepth) return "[max depth]";
    if (seen.has(object)) return "[circular]";
    seen.add(object);
    try {
      if (object instanceof Error)
        return { message: cutString(object.message, limits), ...(object.stack ? { stack: cutString(object.stack, limits) } : {}) };
      if (object instanceof Date) return object.toISOString();
      if (ArrayBuffer.isView(object)) return `[${object.constructor.name}, ${(object as ArrayBufferView).byteLength} bytes]`;
      if (Array.isArray(object)) {
        const items = object.slice(0, limits.maxItems).map((child) => visit(child, depth + 1));
        if (object.length > limits.maxItems) items.push(`[${object.length - limits.maxItems} more items]`);
        return items;
      }
      if (object instanceof Map) return visit(Object.fromEntries(object), depth);
      if (object instanceof Set) return visit([...object], depth);
      const role = messageRole(object as Message);
      if (role !== undefined) {
        const message = object as Message;
        return {
          role,
          content: visit(message.content, depth + 1),
          ...(message.name ? { name: visit(message.name, depth + 1) } : {}),
          ...(Array.isArray(message.tool_calls) && message.tool_calls.length > 0
            ? { tool_calls: visit(message.tool_calls, depth + 1) }
            : {}),
          ...(message.usage_metadata ? { usage: visit(message.usage_metadata, depth + 1) } : {}),
        };
      }
      if ("pageContent" in object) {
        const document = object as { pageContent: unknown; metadata?: unknown; id?: unknown };
        return { pageContent: visit(document.pageContent, depth + 1), metadata: visit(document.metadata ?? {}, depth + 1) };
      }
      const out: Record<string, unknown> = {};
      let count = 0;
      for (const key of Object.keys(object)) {
        if (key.startsWith("lc_") || key === "lc_kwargs") continue;
        if (count++ >= limits.maxItems) {
          out["…"] = `[more keys omitted]`;
          break;
        }
        const child = (object as Record<string, unknown>)[key];
        if (child !== undefined) out[key] = visit(child, depth + 1);
      }
      return out;
    } finally {
      seen.delete(object);
    }
  };
  try {
    return visit(value, 0);
  } catch (error) {
    return `[not serializable: ${(error as Error)?.message ?? String(error)}]`;
  }
}
