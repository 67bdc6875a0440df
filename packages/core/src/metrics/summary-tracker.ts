import type { Metric } from "./metric.js";

/** Everything the summary knows about one key; `log` keeps a direct reference to it. */
export interface SummaryEntry {
  readonly key: string;
  hasLatest: boolean;
  /** True when the latest value is the number in `lastScalar` (kept unboxed: no allocation per log). */
  latestIsScalar: boolean;
  lastScalar: number;
  latest: unknown;
  hasExplicit: boolean;
  explicit: unknown;
  count: number;
  first: number;
  last: number;
  min: number;
  max: number;
  sum: number;
  dirty: boolean;
}

/**
 * Computes the run summary: the last value of every key, or for keys with a
 * `defineMetric` summary an object of the requested aggregates. Explicit
 * `summary.set` overrides until the key is logged again (W&B's "latest wins").
 */
export class SummaryTracker {
  private readonly entries = new Map<string, SummaryEntry>();
  private readonly dirty: SummaryEntry[] = [];

  constructor(private readonly resolveMetric: (key: string) => Metric | undefined) {}

  entry(key: string): SummaryEntry {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = {
        key,
        hasLatest: false,
        latestIsScalar: false,
        lastScalar: 0,
        latest: undefined,
        hasExplicit: false,
        explicit: undefined,
        count: 0,
        first: 0,
        last: 0,
        min: 0,
        max: 0,
        sum: 0,
        dirty: false,
      };
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Hot path: called for every scalar of every committed row. */
  observeScalar(entry: SummaryEntry, value: number): void {
    entry.hasLatest = true;
    entry.latestIsScalar = true;
    entry.lastScalar = value;
    entry.hasExplicit = false;
    if (!entry.dirty) {
      entry.dirty = true;
      this.dirty.push(entry);
    }
    if (Number.isNaN(value)) return;
    if (entry.count === 0) {
      entry.first = entry.min = entry.max = entry.sum = value;
    } else {
      if (value < entry.min) entry.min = value;
      if (value > entry.max) entry.max = value;
      entry.sum += value;
    }
    entry.last = value;
    entry.count++;
  }

  observeOther(entry: SummaryEntry, value: unknown): void {
    entry.hasLatest = true;
    entry.latestIsScalar = false;
    entry.latest = value;
    entry.hasExplicit = false;
    this.markDirty(entry);
  }

  setExplicit(key: string, value: unknown): void {
    const entry = this.entry(key);
    entry.hasExplicit = true;
    entry.explicit = value;
    entry.count = 0;
    this.markDirty(entry);
  }

  delete(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    const existed = this.has(key);
    entry.hasLatest = false;
    entry.latestIsScalar = false;
    entry.latest = undefined;
    entry.hasExplicit = false;
    entry.count = 0;
    this.markDirty(entry);
    return existed;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): unknown {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    return entry.hasExplicit ? entry.explicit : this.computed(entry);
  }

  keys(): string[] {
    return [...this.entries.keys()].filter((key) => this.has(key));
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.keys()) out[key] = this.get(key);
    return out;
  }

  /** Keys changed since the last call: what the next summary record carries. */
  takeChanges(): { set: Record<string, unknown>; delete: string[] } | undefined {
    if (this.dirty.length === 0) return undefined;
    const set: Record<string, unknown> = {};
    const removed: string[] = [];
    for (const entry of this.dirty) {
      entry.dirty = false;
      const value = this.get(entry.key);
      if (value === undefined) removed.push(entry.key);
      else set[entry.key] = value;
    }
    this.dirty.length = 0;
    return { set, delete: removed };
  }

  /** Seeds the tracker with a resumed run's summary (values count as explicit, not re-sent). */
  load(summary: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(summary)) {
      const entry = this.entry(key);
      entry.hasExplicit = true;
      entry.explicit = value;
    }
  }

  private markDirty(entry: SummaryEntry): void {
    if (entry.dirty) return;
    entry.dirty = true;
    this.dirty.push(entry);
  }

  private computed(entry: SummaryEntry): unknown {
    if (!entry.hasLatest) return undefined;
    const latest = entry.latestIsScalar ? entry.lastScalar : entry.latest;
    const types = this.resolveMetric(entry.key)?.summary ?? [];
    if (types.length === 0) return latest;
    if (types.includes("none")) return undefined;
    if (entry.count === 0) return latest;
    const goal = this.resolveMetric(entry.key)?.goal;
    const out: Record<string, number> = {};
    for (const type of types) {
      if (type === "min") out.min = entry.min;
      else if (type === "max") out.max = entry.max;
      else if (type === "mean") out.mean = entry.sum / entry.count;
      else if (type === "first") out.first = entry.first;
      else if (type === "last") out.last = entry.last;
      else if (type === "best") out.best = goal === "maximize" ? entry.max : entry.min;
    }
    return out;
  }
}
