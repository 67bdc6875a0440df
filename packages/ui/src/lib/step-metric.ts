/** A defined metric as the run view lists it: a name or a glob (`epoch/*`) and its step metric. */
export interface MetricDefinition {
  readonly name: string;
  readonly stepMetric?: string;
  readonly hidden?: boolean;
}

/**
 * The definition for a key, as core's metric registry answers it: an exact name wins; otherwise the
 * glob (`prefix*`) with the longest matching prefix. Keys starting with `_` match no glob.
 */
export function definitionOf(metrics: readonly MetricDefinition[], key: string): MetricDefinition | undefined {
  const exact = metrics.find((metric) => metric.name === key);
  if (exact !== undefined || key.startsWith("_")) return exact;
  let best: MetricDefinition | undefined;
  for (const metric of metrics) {
    if (!metric.name.endsWith("*")) continue;
    const prefix = metric.name.slice(0, -1);
    if (key.startsWith(prefix) && prefix.length > (best?.name.length ?? 0) - 1) best = metric;
  }
  return best;
}

/**
 * The x-axis a key is drawn against by default: its defineMetric step metric (e.g. tfjs's `epoch/*`
 * against `epoch/epoch`) when every run that defines it agrees, else `_step`. A step metric's own key
 * is drawn against `_step`.
 */
export function defaultXAxis(runsMetrics: readonly (readonly MetricDefinition[])[], key: string): string {
  const chosen = new Set<string>();
  for (const metrics of runsMetrics) {
    const step = definitionOf(metrics, key)?.stepMetric;
    if (step !== undefined && step !== key) chosen.add(step);
  }
  return chosen.size === 1 ? ([...chosen][0] as string) : "_step";
}

/** A key is hidden when a run defines it hidden (defineMetric({ hidden: true })). */
export function isHiddenKey(runsMetrics: readonly (readonly MetricDefinition[])[], key: string): boolean {
  return runsMetrics.some((metrics) => definitionOf(metrics, key)?.hidden === true);
}

/** Keys drawn as lines: numbers, or a defineMetric summary object (`{ max: … }`) whose fields are numbers. */
export function isScalarSummary(value: unknown): boolean {
  if (value === undefined || typeof value === "number") return true;
  if (value === null || typeof value !== "object" || Array.isArray(value) || "_type" in value) return false;
  const fields = Object.values(value as Record<string, unknown>);
  return fields.length > 0 && fields.every((field) => typeof field === "number");
}
