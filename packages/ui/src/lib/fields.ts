/** Reads `config.a.b`, `summary.loss` or a top-level field of a run object, like the server's filters. */
export function fieldOf(run: Record<string, unknown>, field: string): unknown {
  const [head, ...rest] = field.split(".");
  if (head === "config" || head === "summary" || head === "metadata") {
    const source = (run[head] ?? {}) as Record<string, unknown>;
    const path = rest.join(".");
    if (Object.hasOwn(source, path)) return source[path];
    return rest.reduce<unknown>(
      (value, part) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined),
      source,
    );
  }
  return run[field as string];
}

/** Nested objects as `a.b.c` rows, leaves and arrays kept whole (config and summary tables). */
export function flatten(value: Record<string, unknown>, prefix = ""): [string, unknown][] {
  const rows: [string, unknown][] = [];
  for (const [key, child] of Object.entries(value)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (child !== null && typeof child === "object" && !Array.isArray(child) && !("_type" in child))
      rows.push(...flatten(child as Record<string, unknown>, name));
    else rows.push([name, child]);
  }
  return rows;
}
