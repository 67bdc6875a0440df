import { describeValue, RunlogError } from "../errors.js";
import type { RunView } from "../store/store.js";

/** MongoDB-style run filters, the subset W&B users write: `{ state: "finished", "config.lr": { $gt: 0.01 } }`. */
export type RunFilter = Record<string, unknown>;

const OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$exists"]);

/** Reads a field of a run: top-level names, `config.<path>`, `summary.<key>` (flat keys first, then nested). */
export function runField(run: RunView, field: string): unknown {
  const [head, ...rest] = field.split(".");
  const path = rest.join(".");
  if (head === "config" || head === "summary" || head === "metadata") {
    const source = run[head] as Record<string, unknown>;
    if (Object.hasOwn(source, path)) return source[path];
    return rest.reduce<unknown>(
      (value, part) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined),
      source,
    );
  }
  return (run as unknown as Record<string, unknown>)[field];
}

const MAX_REGEX_LENGTH = 200;
// A quantified group that itself holds a quantifier, e.g. (a+)+ or (\w*)*: the classic catastrophic-backtracking shape.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;
const regexCache = new Map<string, RegExp>();

/**
 * A `$regex` operand, compiled once. Filters can arrive from HTTP clients, and a backtracking
 * pattern would stall the server's one thread: long patterns and nested quantifiers are refused.
 */
function compileRegex(operand: unknown): RegExp {
  const source = String(operand);
  const cached = regexCache.get(source);
  if (cached !== undefined) return cached;
  if (source.length > MAX_REGEX_LENGTH || NESTED_QUANTIFIER.test(source)) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `$regex must be at most ${MAX_REGEX_LENGTH} characters without nested quantifiers like (a+)+.`,
    );
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (error) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `$regex ${describeValue(source)} is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(source, regex);
  return regex;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

function matchesCondition(value: unknown, condition: unknown): boolean {
  if (condition === null || typeof condition !== "object" || Array.isArray(condition) || condition instanceof RegExp) {
    if (condition instanceof RegExp) return typeof value === "string" && condition.test(value);
    if (Array.isArray(value)) return value.includes(condition);
    return value === condition;
  }
  return Object.entries(condition as Record<string, unknown>).every(([op, operand]) => {
    if (!OPERATORS.has(op))
      throw new RunlogError("INVALID_ARGUMENT", `Unknown filter operator ${describeValue(op)}; use ${[...OPERATORS].join(", ")}.`);
    switch (op) {
      case "$eq":
        return matchesCondition(value, operand);
      case "$ne":
        return !matchesCondition(value, operand);
      case "$gt":
        return value !== undefined && compare(value, operand) > 0;
      case "$gte":
        return value !== undefined && compare(value, operand) >= 0;
      case "$lt":
        return value !== undefined && compare(value, operand) < 0;
      case "$lte":
        return value !== undefined && compare(value, operand) <= 0;
      case "$in":
        return Array.isArray(operand) && operand.some((item) => matchesCondition(value, item));
      case "$nin":
        return Array.isArray(operand) && !operand.some((item) => matchesCondition(value, item));
      case "$regex":
        return typeof value === "string" && compileRegex(operand).test(value);
      default:
        return (value !== undefined) === Boolean(operand);
    }
  });
}

export function matchesFilter(run: RunView, filter: RunFilter): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    if (field === "$and" || field === "$or") {
      if (!Array.isArray(condition)) throw new RunlogError("INVALID_ARGUMENT", `${field} needs an array of filters.`);
      const results = condition.map((sub) => matchesFilter(run, sub as RunFilter));
      return field === "$and" ? results.every(Boolean) : results.some(Boolean);
    }
    return matchesCondition(runField(run, field), condition);
  });
}

/** Sorts by `"-createdAt"`, `"+name"`, `"summary.loss"` …; runs missing the field go last. Each run's field is read once. */
export function sortRuns(runs: RunView[], order: string): RunView[] {
  const descending = order.startsWith("-");
  const field = order.replace(/^[-+]/, "");
  const keyed = runs.map((run) => ({ run, key: runField(run, field) }));
  keyed.sort((a, b) => {
    const x = a.key;
    const y = b.key;
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
    return descending ? compare(y, x) : compare(x, y);
  });
  return keyed.map((entry) => entry.run);
}
