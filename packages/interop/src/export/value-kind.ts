/** How a column is stored: numbers as doubles, strings as UTF-8, booleans as booleans, the rest as JSON text. */
export type ValueKind = "number" | "string" | "boolean" | "json";

export function kindOf(value: unknown): ValueKind {
  if (typeof value === "number") return "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return "json";
}

/** A column holding values of two kinds is JSON text (each value as JSON), so nothing is lost. */
export function mergeKinds(a: ValueKind | undefined, b: ValueKind): ValueKind {
  return a === undefined || a === b ? b : "json";
}
