/** W&B items carry a `key` or a `nested_key` path and the value as JSON text. */
export interface WandbItem {
  readonly key?: string;
  readonly nested_key?: readonly string[];
  readonly value_json?: string;
}

export function itemPath(item: WandbItem): string[] {
  if (item.nested_key !== undefined && item.nested_key.length > 0) return [...item.nested_key];
  return [item.key ?? ""];
}

/** W&B writes NaN and ±Infinity as bare words in its JSON. */
export function parseValueJson(text: string | undefined): unknown {
  if (text === undefined || text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    if (text === "NaN") return Number.NaN;
    if (text === "Infinity") return Number.POSITIVE_INFINITY;
    if (text === "-Infinity") return Number.NEGATIVE_INFINITY;
    return JSON.parse(text.replace(/\bNaN\b/g, "null").replace(/-?\bInfinity\b/g, "null"));
  }
}

/** Sets `value` at `path` inside `target`, making the objects on the way. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const part of path.slice(0, -1)) {
    const next = at[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[path[path.length - 1] as string] = value;
}

/**
 * A W&B history record as a Runlog row: media and other typed values (`_type`) stay one object
 * under their key, as Runlog's own media do; other nested paths become dotted keys, as W&B and
 * Runlog flatten logged dicts.
 */
export function historyRow(items: readonly WandbItem[]): Record<string, unknown> {
  const nested: Record<string, unknown> = {};
  for (const item of items) {
    // Most items name a plain key: set it without building a one-part path.
    if (item.nested_key === undefined || item.nested_key.length === 0) nested[item.key ?? ""] = parseValueJson(item.value_json);
    else setPath(nested, item.nested_key, parseValueJson(item.value_json));
  }
  const row: Record<string, unknown> = {};
  const visit = (value: unknown, key: string) => {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !("_type" in value)) {
      for (const [child, inner] of Object.entries(value)) visit(inner, `${key}.${child}`);
    } else row[key] = value;
  };
  for (const [key, value] of Object.entries(nested)) visit(value, key);
  return row;
}
