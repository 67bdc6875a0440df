import { Histogram } from "../data-types/histogram.js";
import { Image } from "../data-types/image.js";
import { type HistoryContext, isLoggable, TO_HISTORY } from "../data-types/loggable.js";
import { describeValue } from "../errors.js";
import { encodeJson } from "../util/json.js";
import type { PartialRow } from "./partial-row.js";

/** W&B's limit for one logged value (1 MB); larger data belongs in a file or an artifact. */
export const MAX_VALUE_BYTES = 1 << 20;
export const MAX_KEY_LENGTH = 1024;
export const MAX_DEPTH = 32;
/** W&B's limit on images in one logged list. */
export const MAX_IMAGES_PER_LIST = 108;
/** Typed arrays longer than this become histograms in history (W&B's rule). */
export const TYPED_ARRAY_HISTOGRAM_THRESHOLD = 32;

const RESERVED_KEYS = new Set(["_step", "_runtime"]);

export interface ValueProblem {
  readonly key: string;
  readonly reason: string;
}

export interface FlattenContext {
  readonly step: number;
  readonly runDir: string;
  readonly problems: ValueProblem[];
}

/**
 * Writes the leaves of `data` into `row` under dotted keys. Bad leaves are reported in
 * `context.problems` and skipped, so the good ones of the same call are still logged.
 */
export function flattenInto(
  data: object,
  prefix: string,
  row: PartialRow,
  context: FlattenContext,
  depth: number,
  ancestors: object[],
): void {
  if (data instanceof Map) {
    for (const [key, value] of data) {
      if (typeof key !== "string") {
        context.problems.push({ key: `${prefix}${describeValue(key)}`, reason: "Map keys must be strings" });
        continue;
      }
      addLeaf(prefix, key, value, row, context, depth, ancestors);
    }
    return;
  }
  for (const key in data) {
    addLeaf(prefix, key, (data as Record<string, unknown>)[key], row, context, depth, ancestors);
  }
  const symbols = Object.getOwnPropertySymbols(data);
  if (symbols.length > 0) {
    context.problems.push({ key: `${prefix}${symbols[0]?.toString()}`, reason: "symbol keys cannot be logged; use string keys" });
  }
}

function addLeaf(
  prefix: string,
  name: string,
  value: unknown,
  row: PartialRow,
  context: FlattenContext,
  depth: number,
  ancestors: object[],
): void {
  const key = prefix === "" ? name : prefix + name;
  if (name === "") {
    context.problems.push({ key: prefix || '""', reason: "empty keys are not allowed" });
    return;
  }
  if (key.length > MAX_KEY_LENGTH) {
    context.problems.push({ key: `${key.slice(0, 40)}…`, reason: `keys are limited to ${MAX_KEY_LENGTH} characters` });
    return;
  }
  if (prefix === "" && RESERVED_KEYS.has(key)) {
    context.problems.push({ key, reason: `"${key}" is set by runlog; pass the step as log(data, { step })` });
    return;
  }
  switch (typeof value) {
    case "number":
      row.setScalar(key, value);
      return;
    case "boolean":
      row.setOther(key, value);
      return;
    case "string":
      if (value.length > MAX_VALUE_BYTES) {
        context.problems.push({
          key,
          reason: `string of ${value.length} characters exceeds the ${MAX_VALUE_BYTES}-byte value limit; save large text with run.save() or an artifact`,
        });
      } else {
        row.setOther(key, value);
      }
      return;
    case "bigint":
      if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
        row.setScalar(key, Number(value));
      } else {
        row.setOther(key, value.toString());
      }
      return;
    case "undefined":
      return;
    case "function":
    case "symbol":
      context.problems.push({ key, reason: `a ${typeof value} cannot be logged` });
      return;
  }
  if (value === null) {
    row.setOther(key, null);
    return;
  }
  addObjectLeaf(key, value as object, row, context, depth, ancestors);
}

function addObjectLeaf(key: string, value: object, row: PartialRow, context: FlattenContext, depth: number, ancestors: object[]): void {
  if (isLoggable(value)) {
    const historyContext: HistoryContext = { key, step: context.step, runDir: context.runDir };
    try {
      row.setOther(key, value[TO_HISTORY](historyContext));
    } catch (error) {
      context.problems.push({ key, reason: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    addTypedArray(key, value as unknown as ArrayLike<number | bigint>, row, context);
    return;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) context.problems.push({ key, reason: "invalid Date" });
    else row.setOther(key, value.toISOString());
    return;
  }
  if (Array.isArray(value)) {
    const images = value.filter((item) => item instanceof Image).length;
    if (images > MAX_IMAGES_PER_LIST) {
      context.problems.push({
        key,
        reason: `a list of ${images} images is over W&B's limit of ${MAX_IMAGES_PER_LIST} per step; log fewer or split the key`,
      });
      return;
    }
    const json = toJsonValue(value, key, context, depth, ancestors);
    if (json !== INVALID) addSized(key, json, row, context);
    return;
  }
  if (!isPlainObject(value) && !(value instanceof Map)) {
    context.problems.push({
      key,
      reason: `values of type ${value.constructor?.name ?? "object"} cannot be logged; log numbers, strings, booleans, arrays, plain objects or runlog data types`,
    });
    return;
  }
  if (ancestors.includes(value)) {
    context.problems.push({ key, reason: "the value contains a cycle" });
    return;
  }
  if (depth >= MAX_DEPTH) {
    context.problems.push({ key, reason: `objects nested deeper than ${MAX_DEPTH} levels cannot be logged` });
    return;
  }
  ancestors.push(value);
  flattenInto(value, `${key}.`, row, context, depth + 1, ancestors);
  ancestors.pop();
}

function addTypedArray(key: string, array: ArrayLike<number | bigint>, row: PartialRow, context: FlattenContext): void {
  const numbers = Array.from(array, Number);
  if (numbers.length > TYPED_ARRAY_HISTOGRAM_THRESHOLD) {
    row.setOther(key, new Histogram(numbers, { numBins: 32 }).toJSON());
    row.summaryValues.set(key, arrayStats(numbers));
  } else {
    addSized(key, numbers, row, context);
  }
}

function addSized(key: string, value: unknown, row: PartialRow, context: FlattenContext): void {
  const size = encodeJson(value).length;
  if (size > MAX_VALUE_BYTES) {
    context.problems.push({
      key,
      reason: `value of ${size} bytes exceeds the ${MAX_VALUE_BYTES}-byte limit; use a Histogram, a Table or an artifact`,
    });
    return;
  }
  row.setOther(key, value);
}

const INVALID = Symbol("invalid");

/** Converts arrays and plain objects inside arrays to JSON-safe values, refusing what JSON cannot hold. */
function toJsonValue(value: unknown, key: string, context: FlattenContext, depth: number, ancestors: object[]): unknown {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "string":
      return value;
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "undefined":
      return null;
    case "function":
    case "symbol":
      context.problems.push({ key, reason: `a ${typeof value} cannot be logged` });
      return INVALID;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.includes(object)) {
    context.problems.push({ key, reason: "the value contains a cycle" });
    return INVALID;
  }
  if (depth >= MAX_DEPTH) {
    context.problems.push({ key, reason: `values nested deeper than ${MAX_DEPTH} levels cannot be logged` });
    return INVALID;
  }
  if (isLoggable(object)) {
    return object[TO_HISTORY]({ key, step: context.step, runDir: context.runDir });
  }
  if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
    return Array.from(object as unknown as ArrayLike<number | bigint>, Number);
  }
  if (object instanceof Date) return object.toISOString();
  ancestors.push(object);
  try {
    if (Array.isArray(object)) {
      const out: unknown[] = [];
      for (const item of object) {
        const converted = toJsonValue(item, key, context, depth + 1, ancestors);
        if (converted === INVALID) return INVALID;
        out.push(converted);
      }
      return out;
    }
    if (isPlainObject(object)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(object)) {
        const converted = toJsonValue(v, key, context, depth + 1, ancestors);
        if (converted === INVALID) return INVALID;
        out[k] = converted;
      }
      return out;
    }
    context.problems.push({ key, reason: `values of type ${object.constructor?.name ?? "object"} cannot be logged` });
    return INVALID;
  } finally {
    ancestors.pop();
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** W&B's summary for a long array: its stats, not the values (`maybe_compress_summary`). */
export function arrayStats(values: readonly number[]): Record<string, number | string> {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return { _type: "array-stats", size: values.length };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  const variance = finite.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  // Linear interpolation between closest ranks (numpy's default percentile).
  const percentile = (p: number) => {
    const rank = (p / 100) * (n - 1);
    const low = Math.floor(rank);
    const high = Math.min(n - 1, low + 1);
    return (finite[low] as number) + ((finite[high] as number) - (finite[low] as number)) * (rank - low);
  };
  return {
    _type: "array-stats",
    size: values.length,
    min: finite[0] as number,
    max: finite[n - 1] as number,
    mean,
    var: variance,
    "10%": percentile(10),
    "25%": percentile(25),
    "75%": percentile(75),
    "90%": percentile(90),
  };
}
