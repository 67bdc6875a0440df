import { describeValue, RunlogError } from "../errors.js";
import type { SummaryTracker } from "../metrics/summary-tracker.js";
import { INVALID, keyProblem, type PlainValueRules, readingUserValue, toPlainValue } from "../util/plain-value.js";
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
    const bad = keyProblem(key);
    if (bad !== undefined) throw new RunlogError("INVALID_ARGUMENT", `Summary key ${describeValue(key)}: ${bad}.`);
    this.tracker.setExplicit(
      key,
      readingUserValue(`summary "${key}"`, () => storable(key, value)),
    );
  }

  update(values: Record<string, unknown>): void {
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new RunlogError("INVALID_ARGUMENT", `summary.update needs an object, got ${describeValue(values)}.`);
    }
    if (Object.getOwnPropertySymbols(values).length > 0) {
      throw new RunlogError("INVALID_ARGUMENT", "summary.update: symbol keys cannot be stored; use string keys.");
    }
    this.assertOpen();
    // Convert every value first, so a refused one leaves the summary as it was.
    const clean = readingUserValue("summary.update", () =>
      Object.entries(values).map(([key, value]) => {
        const bad = key.length > 0 ? keyProblem(key) : "keys must be non-empty strings";
        if (bad !== undefined) throw new RunlogError("INVALID_ARGUMENT", `Summary key ${describeValue(key)}: ${bad}.`);
        return [key, storable(key, value)] as const;
      }),
    );
    for (const [key, value] of clean) this.tracker.setExplicit(key, value);
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

/** Summary values follow the shared rule for stored values (util/plain-value.ts); a Histogram is kept as its JSON form. */
function storable(key: string, value: unknown): unknown {
  const problems: string[] = [];
  const plain: PlainValueRules = { bigint: "keep", problem: (at, reason) => problems.push(`"${at}": ${reason}`) };
  // One level of toJSON (Histogram and friends); what it returns must be plain data.
  const rules: PlainValueRules = {
    ...plain,
    isLoggable: (item) => typeof (item as { toJSON?: unknown }).toJSON === "function",
    loggable: (item, path) => {
      let json: unknown;
      try {
        json = (item as { toJSON(): unknown }).toJSON();
      } catch (error) {
        plain.problem(path, `its toJSON() threw: ${error instanceof Error ? error.message : String(error)}`);
        return INVALID;
      }
      return toPlainValue(json, plain, path);
    },
  };
  const clean = toPlainValue(value, rules, key);
  if (clean === INVALID) throw new RunlogError("INVALID_VALUE", `summary ${problems.join("; ")}.`, { details: { problems } });
  return clean;
}
