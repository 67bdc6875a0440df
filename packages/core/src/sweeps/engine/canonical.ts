/**
 * One text per parameter value, equal for equal values: sorted object keys, and whole floats equal
 * to ints (W&B's grid hashes `3e6` and `3000000` alike), so a trial's value can be matched to a
 * grid point or a categorical's index.
 */
export function canonicalKey(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "undefined";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((key) => [key, sortKeys(object[key])]),
    );
  }
  return value;
}
