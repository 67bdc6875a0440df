/**
 * Nested plain objects as dotted columns under `prefix` (`config.model.layers`, `summary.loss.max`).
 * Media and other typed values (`_type`), lists and empty objects are leaves, written whole.
 */
export function flattenInto(out: Map<string, unknown>, prefix: string, value: unknown): void {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !("_type" in value) && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) flattenInto(out, `${prefix}.${key}`, inner);
  } else out.set(prefix, value);
}
