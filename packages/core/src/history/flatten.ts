import { Histogram } from "../data-types/histogram.js";
import { Image } from "../data-types/image.js";
import { isLoggable, type Loggable, TO_HISTORY } from "../data-types/loggable.js";
import { describeValue } from "../errors.js";
import { encodeJson } from "../util/json.js";
import { bigintValue, INVALID, keyProblem, MAX_DEPTH, type PlainValueRules, toPlainValue } from "../util/plain-value.js";
import type { PartialRow } from "./partial-row.js";

/** W&B's limit for one logged value (1 MB); larger data belongs in a file or an artifact. */
export const MAX_VALUE_BYTES = 1 << 20;
export const MAX_KEY_LENGTH = 1024;
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
  const badKey = keyProblem(name);
  if (badKey !== undefined) {
    context.problems.push({ key, reason: badKey });
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
    case "bigint": {
      const converted = bigintValue(value, "number");
      if (typeof converted === "number") row.setScalar(key, converted);
      else row.setOther(key, converted);
      return;
    }
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
    const converted = toHistoryValue(value, key, context);
    if (converted !== INVALID) row.setOther(key, converted);
    return;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    addTypedArray(key, value as unknown as ArrayLike<number | bigint>, row, context);
    return;
  }
  if (isPlainObject(value) || value instanceof Map) {
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
  }
  // Arrays, Dates and anything else: the shared rule for JSON-stored values (data types allowed inside).
  const json = toPlainValue(value, rulesFor(context), key, depth, ancestors);
  if (json !== INVALID) addSized(key, json, row, context);
}

// One rules object per context (the log handler keeps one context), not one per logged array.
const contextRules = new WeakMap<FlattenContext, PlainValueRules>();

function rulesFor(context: FlattenContext): PlainValueRules {
  let rules = contextRules.get(context);
  if (rules === undefined) {
    rules = {
      bigint: "number",
      isLoggable,
      loggable: (item, path) => toHistoryValue(item as Loggable, path, context),
      problem: (path, reason) => context.problems.push({ key: path, reason }),
    };
    contextRules.set(context, rules);
  }
  return rules;
}

/** A data type's history form; a throw inside it is reported as that key's problem. */
function toHistoryValue(value: Loggable, key: string, context: FlattenContext): unknown {
  try {
    return value[TO_HISTORY]({ key, step: context.step, runDir: context.runDir });
  } catch (error) {
    context.problems.push({ key, reason: error instanceof Error ? error.message : String(error) });
    return INVALID;
  }
}

function addTypedArray(key: string, array: ArrayLike<number | bigint>, row: PartialRow, context: FlattenContext): void {
  const numbers = Array.from(array, Number);
  if (numbers.length > TYPED_ARRAY_HISTOGRAM_THRESHOLD) {
    row.setOther(key, new Histogram(numbers, { numBins: 32 }).toJSON());
    row.summaryValues.set(key, arrayStats(numbers));
  } else {
    addSized(key, toPlainValue(array, { bigint: "number", problem: () => {} }, key), row, context);
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
