import { describeValue, RunlogError } from "../errors.js";
import type { SummaryTracker } from "../metrics/summary-tracker.js";
import { withPropertyAccess } from "./property-access.js";

/**
 * The run summary: the last value logged per key (or `defineMetric` aggregates),
 * overridable with `set`/`update`. Property access works too: `run.summary.best = 0.9`.
 */
export class Summary {
  [key: string]: unknown;
  /** @internal */ declare private readonly tracker: SummaryTracker;
  /** @internal */ declare private readonly assertOpen: () => void;

  constructor(tracker: SummaryTracker, assertOpen: () => void) {
    Object.defineProperty(this, "tracker", { value: tracker, enumerable: false, configurable: true });
    Object.defineProperty(this, "assertOpen", { value: assertOpen, enumerable: false, configurable: true });
    // biome-ignore lint/correctness/noConstructorReturn: the proxy adds property access to this instance
    return withPropertyAccess(
      this,
      (key) => tracker.get(key),
      (key, value) => this.set(key, value),
      (key) => this.delete(key),
      (key) => tracker.has(key),
      () => tracker.keys(),
    );
  }

  get(key: string): unknown {
    return this.tracker.get(key);
  }

  set(key: string, value: unknown): void {
    this.assertOpen();
    if (typeof key !== "string" || key.length === 0) {
      throw new RunlogError("INVALID_ARGUMENT", `Summary keys must be non-empty strings, got ${describeValue(key)}.`);
    }
    if (typeof value === "function" || typeof value === "symbol") {
      throw new RunlogError("INVALID_VALUE", `summary "${key}": a ${typeof value} cannot be stored.`);
    }
    this.tracker.setExplicit(key, assertStorable(key, value));
  }

  update(values: Record<string, unknown>): void {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new RunlogError("INVALID_ARGUMENT", `summary.update needs an object, got ${describeValue(values)}.`);
    }
    for (const [key, value] of Object.entries(values)) this.set(key, value);
  }

  delete(key: string): boolean {
    this.assertOpen();
    return this.tracker.delete(key);
  }

  keys(): string[] {
    return this.tracker.keys();
  }

  toJSON(): Record<string, unknown> {
    return this.tracker.toJSON();
  }
}

/** Summary values must serialize to JSON (no cycles); bigints are allowed. */
function assertStorable(key: string, value: unknown): unknown {
  try {
    const json = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    return json === undefined ? null : value;
  } catch (error) {
    throw new RunlogError("INVALID_VALUE", `summary "${key}" cannot be stored: ${(error as Error).message}.`, { cause: error });
  }
}
