/**
 * An independent model of what run.log / config.update / summary.update store, written from
 * the documented rule (util/plain-value.ts's header, flatten's key rules), not from that code.
 * Used by the input fuzz test. Sizes are never near a limit there (the generator keeps values
 * tiny or far over), so the model need not compute encoded sizes exactly.
 */

/** Expected in place of a long typed array: history holds a histogram, the summary its stats. */
export const HISTOGRAM = Symbol("histogram");
export const ARRAY_STATS = Symbol("array-stats");
/** A part the store must refuse. */
export const REFUSED = Symbol("refused");

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const HUGE = 1 << 20;
const DEEP = 32;

export function badKey(key: string): boolean {
  return key === "__proto__" || LONE.test(key);
}

type Leaf = { value: unknown; summary: unknown } | typeof REFUSED;

/** Expected leaves of one log call, in the order they are written (later writes of a key win). */
export function expectedLogLeaves(data: object): { leaves: [string, unknown, unknown][]; refused: number } {
  const leaves: [string, unknown, unknown][] = [];
  let refused = 0;
  // Values are read one by one, in key order, as flatten reads them: a throwing getter ends the
  // walk (the call is refused, the leaves read before it are kept).
  const walk = (object: object, prefix: string, depth: number, seen: object[]) => {
    const names: unknown[] = object instanceof Map ? [...object.keys()] : Object.keys(object);
    const read = (name: unknown) => (object instanceof Map ? object.get(name) : (object as Record<string, unknown>)[name as string]);
    for (const name of names) {
      const value = read(name);
      if (typeof name !== "string") {
        refused++;
        continue;
      }
      const key = prefix + name;
      if (name === "" || key.length > 1024 || badKey(name) || (prefix === "" && (key === "_step" || key === "_runtime"))) {
        refused++;
        continue;
      }
      if (value === undefined) continue;
      if (isNested(value)) {
        if (seen.includes(value) || depth >= DEEP) refused++;
        else walk(value, `${key}.`, depth + 1, [...seen, value]);
        continue;
      }
      const leaf = logLeaf(value, depth, seen);
      if (leaf === REFUSED) refused++;
      else leaves.push([key, leaf.value, leaf.summary]);
    }
    if (!(object instanceof Map) && Object.getOwnPropertySymbols(object).length > 0) refused++;
  };
  try {
    walk(data, "", 0, [data]);
  } catch {
    refused++;
  }
  return { leaves, refused };
}

function isNested(value: unknown): value is object {
  if (value instanceof Map) return true;
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function logLeaf(value: unknown, depth: number, seen: object[]): Leaf {
  if (typeof value === "number") return { value, summary: value === 0 ? 0 : value };
  if (typeof value === "bigint") {
    const safe = value >= -(2n ** 53n - 1n) && value <= 2n ** 53n - 1n;
    return { value: safe ? Number(value) : String(value), summary: safe ? Number(value) : String(value) };
  }
  if (typeof value === "string") return value.length > HUGE ? REFUSED : { value, summary: value };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && (value as unknown as ArrayLike<unknown>).length > 32) {
    return { value: HISTOGRAM, summary: ARRAY_STATS };
  }
  const json = stored(value, "number", depth, seen);
  if (json === REFUSED) return REFUSED;
  if (JSON.stringify(json, (_k, v) => (typeof v === "bigint" ? String(v) : v)).length > HUGE) return REFUSED;
  return { value: json, summary: json };
}

/** A JSON-stored value by the documented rule; REFUSED when any part is refused. */
export function stored(value: unknown, bigint: "number" | "keep", depth = 0, seen: object[] = []): unknown {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? 0 : value;
    case "string":
    case "boolean":
      return value;
    case "undefined":
      return null;
    case "bigint":
      if (bigint === "keep") return value;
      return value >= -(2n ** 53n - 1n) && value <= 2n ** 53n - 1n ? Number(value) : String(value);
    case "function":
    case "symbol":
      return REFUSED;
  }
  if (typeof value !== "object") return REFUSED;
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? REFUSED : value.toISOString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return [...(value as unknown as Iterable<number | bigint>)].map((item) => stored(item, bigint));
  }
  if (seen.includes(value) || depth >= DEEP) return REFUSED;
  const inner = [...seen, value];
  if (Array.isArray(value)) {
    const items = Array.from({ length: value.length }, (_, i) => stored(value[i], bigint, depth + 1, inner));
    return items.includes(REFUSED) ? REFUSED : items;
  }
  let entries: [unknown, unknown][];
  if (value instanceof Map) entries = [...value];
  else if (isNested(value)) {
    if (Object.getOwnPropertySymbols(value).length > 0) return REFUSED;
    entries = Object.entries(value);
  } else return REFUSED;
  if (entries.some(([key]) => typeof key !== "string")) return REFUSED;
  // Every entry is converted even after a refused one (a throwing getter later still throws).
  const out: Record<string, unknown> = {};
  let refused = false;
  for (const [key, item] of entries) {
    if (badKey(key as string)) {
      refused = true;
      continue;
    }
    const converted = stored(item, bigint, depth + 1, inner);
    if (converted === REFUSED) refused = true;
    else out[key as string] = converted;
  }
  return refused ? REFUSED : out;
}

/** Equality of what was expected and what the Api read back (NaN equals NaN, -0 is not 0). */
export function matches(expected: unknown, actual: unknown): boolean {
  if (expected === HISTOGRAM) return isTagged(actual, "histogram");
  if (expected === ARRAY_STATS) return isTagged(actual, "array-stats");
  if (Object.is(expected, actual)) return true;
  if (typeof expected !== "object" || expected === null || typeof actual !== "object" || actual === null) return false;
  if (Array.isArray(expected) !== Array.isArray(actual)) return false;
  const left = expected as Record<string, unknown>;
  const right = actual as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && matches(left[key], right[key]));
}

function isTagged(value: unknown, type: string): boolean {
  return typeof value === "object" && value !== null && (value as { _type?: unknown })._type === type;
}
