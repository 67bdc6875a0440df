import type { Series } from "./grid.ts";

/**
 * Series already fetched, by query (key, x-axis, range, buckets) and run: the workspace asks the
 * server only for runs it has not got yet, so showing a run again, hovering or re-rendering costs no
 * request. Bounded: the oldest queries go first.
 */
export class SeriesCache {
  private readonly queries = new Map<string, Map<string, Series>>();

  constructor(private readonly maxQueries = 400) {}

  static queryKey(parts: { key: string; xAxis: string; buckets: number; from?: number; to?: number }): string {
    return JSON.stringify([parts.key, parts.xAxis, parts.buckets, parts.from ?? null, parts.to ?? null]);
  }

  missing(query: string, runIds: readonly string[]): string[] {
    const have = this.queries.get(query);
    return have === undefined ? [...runIds] : runIds.filter((id) => !have.has(id));
  }

  put(query: string, results: Record<string, Series>): void {
    let have = this.queries.get(query);
    if (have === undefined) {
      have = new Map();
      this.queries.set(query, have);
      while (this.queries.size > this.maxQueries) this.queries.delete(this.queries.keys().next().value as string);
    }
    for (const [id, series] of Object.entries(results)) have.set(id, series);
  }

  get(query: string, runId: string): Series | undefined {
    return this.queries.get(query)?.get(runId);
  }

  /** Forgets one run everywhere (a live run has new points). */
  forgetRun(runId: string): void {
    for (const have of this.queries.values()) have.delete(runId);
  }
}
