/**
 * The one rule for user values that are stored as JSON: `run.log` values that are not scalar
 * columns (arrays, strings, dates…), `config` and `summary`. What each odd value becomes:
 *
 * - number: kept, NaN and ±Infinity included (tagged JSON, see json.ts); -0 is stored as 0
 *   (a scalar history column, Float64, keeps -0; its summary, JSON, holds 0).
 * - bigint: `"keep"` (config, summary) keeps it, tagged JSON reads it back as a bigint;
 *   `"number"` (history) makes a safe integer a number and a larger one its decimal string.
 * - Date: its ISO string; an invalid Date is refused (it has no ISO form).
 * - typed arrays: arrays of numbers (bigint elements follow the bigint rule); Map with string
 *   keys: an object; undefined: null.
 * - strings: kept exactly, lone surrogates included (JSON escapes them as `\ud800`).
 * - keys, at every level: must be well-formed Unicode. A lone surrogate cannot be stored as a
 *   key (SQLite writes keys as UTF-8, which has no encoding for it), so such keys are refused
 *   rather than listed under a mangled name that nothing can read back. `__proto__` is refused
 *   too: it would be listed, but every JavaScript reader (`row[key] = value`) sets a prototype instead.
 * - refused: functions, symbols, symbol keys, cycles, nesting deeper than MAX_DEPTH, class
 *   instances (DataView, ArrayBuffer, WeakMap, user classes…), runlog data types where the
 *   caller has no `loggable` conversion.
 */

import { RunlogError } from "../errors.js";

export const MAX_DEPTH = 32;

export const INVALID: unique symbol = Symbol("invalid");
export type Invalid = typeof INVALID;

export interface PlainValueRules {
  readonly bigint: "number" | "keep";
  /** Converts a value carrying runlog's data-type marker (or an object with toJSON); absent: refused. */
  readonly loggable?: (value: object, path: string) => unknown;
  /** Recognises the values `loggable` takes. */
  readonly isLoggable?: (value: object) => boolean;
  /** Receives each refused part: `path` is dotted/indexed from the caller's base path. */
  readonly problem: (path: string, reason: string) => void;
}

// With the u flag a paired surrogate is one code point, so \p{Cs} matches only lone halves.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Runs `read` (which walks a caller's object); a raw throw from the caller's side (a getter, a
 * proxy trap, a fake Map) becomes INVALID_VALUE naming `where`, never a raw error.
 */
export function readingUserValue<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (RunlogError.isInstance(error)) throw error;
    throw new RunlogError(
      "INVALID_VALUE",
      `${where}: reading the value threw (${error instanceof Error ? error.message : String(error)}); pass plain data.`,
      {
        cause: error,
      },
    );
  }
}

/** Why `key` cannot be stored, or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (key === "__proto__") return '"__proto__" cannot be a key: JavaScript readers would take it as the object\'s prototype; rename it';
  // Hot path (every key of every general log call): the regex only for keys holding a surrogate at all.
  let surrogate = false;
  for (let i = 0; i < key.length && !surrogate; i++) surrogate = (key.charCodeAt(i) & 0xf800) === 0xd800;
  return surrogate && LONE_SURROGATE.test(key)
    ? "keys must be well-formed Unicode: this one holds a lone surrogate (half of an emoji?), which the store cannot keep as a key"
    : undefined;
}

export function bigintValue(value: bigint, rule: "number" | "keep"): number | string | bigint {
  if (rule === "keep") return value;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** Converts `value` by the rules above; INVALID when any part was refused (each reported to `rules.problem`). */
export function toPlainValue(value: unknown, rules: PlainValueRules, path: string, depth = 0, ancestors: object[] = []): unknown {
  switch (typeof value) {
    case "number":
      return value === 0 ? 0 : value;
    case "boolean":
    case "string":
      return value;
    case "bigint":
      return bigintValue(value, rules.bigint);
    case "undefined":
      return null;
    case "function":
    case "symbol":
      rules.problem(path, `a ${typeof value} cannot be stored`);
      return INVALID;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) {
    const time = object.getTime();
    if (Number.isNaN(time)) {
      rules.problem(path, "an invalid Date cannot be stored (it has no ISO form); check how it was built");
      return INVALID;
    }
    return object.toISOString();
  }
  if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
    const items = object as unknown as ArrayLike<number | bigint>;
    return Array.from(items, (item) => (typeof item === "bigint" ? bigintValue(item, rules.bigint) : item === 0 ? 0 : item));
  }
  if (rules.loggable !== undefined && rules.isLoggable?.(object)) return rules.loggable(object, path);
  if (ancestors.includes(object)) {
    rules.problem(path, "the value contains a cycle");
    return INVALID;
  }
  if (depth >= MAX_DEPTH) {
    rules.problem(path, `values nested deeper than ${MAX_DEPTH} levels cannot be stored`);
    return INVALID;
  }
  ancestors.push(object);
  try {
    if (Array.isArray(object)) {
      const out: unknown[] = new Array(object.length);
      let ok = true;
      for (let i = 0; i < object.length; i++) {
        const raw: unknown = object[i];
        // Numbers and strings, the usual items, skip the recursion (and building their path).
        if (typeof raw === "number") out[i] = raw === 0 ? 0 : raw;
        else if (typeof raw === "string" || typeof raw === "boolean") out[i] = raw;
        else {
          const item = toPlainValue(raw, rules, `${path}[${i}]`, depth + 1, ancestors);
          if (item === INVALID) ok = false;
          out[i] = item;
        }
      }
      return ok ? out : INVALID;
    }
    const entries = entriesOf(object, rules, path);
    if (entries === INVALID) return INVALID;
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const [key, item] of entries) {
      const child = `${path}.${key}`;
      const bad = keyProblem(key);
      if (bad !== undefined) {
        rules.problem(child, bad);
        ok = false;
        continue;
      }
      const converted = toPlainValue(item, rules, child, depth + 1, ancestors);
      if (converted === INVALID) ok = false;
      else out[key] = converted;
    }
    return ok ? out : INVALID;
  } finally {
    ancestors.pop();
  }
}

/** A plain object's or string-keyed Map's entries; INVALID for anything else (reported). */
function entriesOf(object: object, rules: PlainValueRules, path: string): [string, unknown][] | Invalid {
  if (object instanceof Map) {
    const entries: [string, unknown][] = [];
    for (const [key, item] of object) {
      if (typeof key !== "string") {
        rules.problem(path, "Map keys must be strings");
        return INVALID;
      }
      entries.push([key, item]);
    }
    return entries;
  }
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) {
    rules.problem(
      path,
      `values of type ${typeName(object)} cannot be stored; use numbers, strings, booleans, arrays, plain objects (or runlog data types in run.log)`,
    );
    return INVALID;
  }
  if (Object.getOwnPropertySymbols(object).length > 0) {
    rules.problem(path, "symbol keys cannot be stored; use string keys");
    return INVALID;
  }
  return Object.entries(object);
}

function typeName(object: object): string {
  try {
    const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? name : "object";
  } catch {
    return "object";
  }
}
