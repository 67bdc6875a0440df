import { buildMetric, type DefineMetricOptions, type Metric, validateMetricName } from "./metric.js";

/**
 * Holds `defineMetric` definitions and answers "which definition governs this key?".
 * Exact names win over globs; among globs the longest prefix wins (better than W&B,
 * where the choice is arbitrary). Answers are cached because `log` asks for every key.
 */
export class MetricRegistry {
  private readonly exact = new Map<string, Metric>();
  private readonly globs = new Map<string, Metric>();
  private readonly cache = new Map<string, Metric | null>();
  /** Step metrics in use, so `log` can remember their latest values. */
  readonly stepMetrics = new Set<string>();

  define(name: string, options: DefineMetricOptions = {}): Metric {
    validateMetricName(name);
    const isGlob = name.endsWith("*");
    const table = isGlob ? this.globs : this.exact;
    const metric = buildMetric(name, options, table.get(name));
    table.set(name, metric);
    if (metric.stepMetric !== undefined) this.stepMetrics.add(metric.stepMetric);
    this.cache.clear();
    return metric;
  }

  resolve(key: string): Metric | undefined {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.exact.get(key) ?? this.matchGlob(key);
    this.cache.set(key, found ?? null);
    return found;
  }

  get size(): number {
    return this.exact.size + this.globs.size;
  }

  all(): Metric[] {
    return [...this.exact.values(), ...this.globs.values()];
  }

  /** Restores definitions stored with a resumed run. */
  load(metrics: readonly Metric[]): void {
    for (const metric of metrics) {
      (metric.name.endsWith("*") ? this.globs : this.exact).set(metric.name, Object.freeze({ ...metric }));
      if (metric.stepMetric !== undefined) this.stepMetrics.add(metric.stepMetric);
    }
    this.cache.clear();
  }

  private matchGlob(key: string): Metric | undefined {
    if (key.startsWith("_")) return undefined;
    let best: Metric | undefined;
    let bestLength = -1;
    for (const [pattern, metric] of this.globs) {
      const prefix = pattern.slice(0, -1);
      if (prefix.length > bestLength && key.startsWith(prefix)) {
        best = metric;
        bestLength = prefix.length;
      }
    }
    return best;
  }
}
