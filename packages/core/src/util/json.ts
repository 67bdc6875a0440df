/**
 * JSON that keeps what plain JSON loses: NaN, ±Infinity and big integers.
 * They are written as tagged objects and read back as the original values,
 * so config and summary round-trip exactly through the store and the log.
 */
const NUMBER_TAG = "__runlog_number";
const BIGINT_TAG = "__runlog_bigint";

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return { [NUMBER_TAG]: String(value) };
  }
  if (typeof value === "bigint") return { [BIGINT_TAG]: value.toString() };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const tagged = record[NUMBER_TAG];
    if (typeof tagged === "string" && Object.keys(record).length === 1) return Number(tagged);
    const big = record[BIGINT_TAG];
    if (typeof big === "string" && Object.keys(record).length === 1) return BigInt(big);
  }
  return value;
}

/** `space` indents like JSON.stringify's third argument (for output people read). */
export function encodeJson(value: unknown, space?: number): string {
  // Fast path: without a replacer JSON.stringify is several times faster. NaN/±Infinity come out
  // as "null" and bigints throw, so only output holding "null" (or a throw) needs the tagging pass.
  try {
    const plain = JSON.stringify(value, null, space);
    if (plain === undefined || !plain.includes("null")) return plain;
  } catch {}
  return JSON.stringify(value, replacer, space);
}

export function decodeJson<T = unknown>(text: string): T {
  return JSON.parse(text, reviver) as T;
}

/** Structural equality for JSON-like values (NaN equals NaN, as users expect for config). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
