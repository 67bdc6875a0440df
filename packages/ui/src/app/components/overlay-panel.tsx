import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Series } from "../../lib/grid.ts";
import { groupAggregate, unionAlign } from "../../lib/overlay.ts";
import { SeriesCache } from "../../lib/series-cache.ts";
import { smooth } from "../../lib/smoothing.ts";
import { getJson, type HistoryRow, query } from "../api.ts";
import { ErrorBox } from "../use-async.tsx";
import { useInView } from "../use-in-view.ts";
import { type ChartSettings, xLabel } from "./chart-controls.tsx";
import { type ChartLine, LineChart } from "./line-chart.tsx";

/** A run as the workspace draws it: its colour, and the group it belongs to when grouping. */
export interface PanelRun {
  readonly id: string;
  readonly name: string;
  readonly color: string;
  readonly group?: string;
}

const BUCKETS = 400;

/** New rows after a series' last x, as points of their own (the live tail is not bucketed). */
function appendRows(series: Series, rows: readonly HistoryRow[], key: string, xAxis: string): Series {
  const lastX = series.x[series.x.length - 1] ?? Number.NEGATIVE_INFINITY;
  const added = rows.filter((row) => typeof row[key] === "number" && typeof row[xAxis] === "number" && (row[xAxis] as number) > lastX);
  if (added.length === 0) return series;
  const values = added.map((row) => row[key] as number);
  return {
    x: [...series.x, ...added.map((row) => row[xAxis] as number)],
    last: [...series.last, ...values],
    min: [...series.min, ...values],
    max: [...series.max, ...values],
    count: [...series.count, ...added.map(() => 1)],
  };
}

/** Values between a member's first and last point carried over its gaps, so group means don't flicker where runs log at different x. */
function fillInside(values: readonly (number | null)[]): (number | null)[] {
  const first = values.findIndex((v) => v !== null);
  if (first === -1) return [...values];
  let lastIndex = values.length - 1;
  while (values[lastIndex] === null) lastIndex--;
  let carried: number | null = null;
  return values.map((value, i) => {
    if (value !== null) carried = value;
    return i >= first && i <= lastIndex ? carried : null;
  });
}

/**
 * The runs a panel's chart draws: the visible ones plus those hidden since the chart was built for
 * this query, so hiding or showing a run again is a uPlot setSeries, not a rebuild. Grouped runs
 * are drawn as they are (a member changes its group's mean).
 */
function useDrawnRuns(runs: readonly PanelRun[], queryKey: string, grouped: boolean): PanelRun[] {
  const drawn = useRef<{ queryKey: string; runs: Map<string, PanelRun> }>({ queryKey, runs: new Map() });
  if (grouped) return [...runs];
  if (drawn.current.queryKey !== queryKey) drawn.current = { queryKey, runs: new Map() };
  for (const run of runs) drawn.current.runs.set(run.id, run);
  return [...drawn.current.runs.values()];
}

/**
 * One history key over the visible runs (or their groups: mean line, min–max band). Fetches, when
 * scrolled into view, only the runs the cache lacks: hiding or showing a run again is free.
 */
export function OverlayPanel({
  base,
  metric,
  runs,
  xAxis,
  xAxes,
  settings,
  range,
  cache,
  live,
  syncKey,
  onXAxis,
  onZoom,
}: {
  base: string;
  metric: string;
  runs: readonly PanelRun[];
  xAxis: string;
  xAxes: readonly string[];
  settings: ChartSettings;
  range?: [number, number];
  cache: SeriesCache;
  /** Rows of live runs that arrived after the history was fetched, by run id. */
  live?: ReadonlyMap<string, readonly HistoryRow[]>;
  syncKey: string;
  onXAxis(axis: string | undefined): void;
  onZoom(range: [number, number] | undefined): void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const inView = useInView(box);
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<Error | undefined>();
  const queryKey = SeriesCache.queryKey({ key: metric, xAxis, buckets: BUCKETS, from: range?.[0], to: range?.[1] });
  const ids = runs.map((run) => run.id);
  const drawnRuns = useDrawnRuns(
    runs,
    queryKey,
    runs.some((run) => run.group !== undefined),
  );
  const hidden = useMemo(() => {
    const shown = new Set(ids);
    return new Set(drawnRuns.filter((run) => !shown.has(run.id)).map((run) => run.id));
  }, [ids.join(), drawnRuns.map((run) => run.id).join()]);

  useEffect(() => {
    if (!inView) return;
    const missing = cache.missing(queryKey, ids);
    if (missing.length === 0) return;
    let current = true;
    getJson<Record<string, Series>>(
      `${base}/series${query({ key: metric, runs: missing.join(","), buckets: BUCKETS, xAxis, from: range?.[0], to: range?.[1] })}`,
    ).then(
      (results) => {
        cache.put(queryKey, results);
        if (current) setVersion((n) => n + 1);
      },
      (failure: Error) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [inView, queryKey, ids.join()]);

  const withBands = runs.length <= 3;
  const chart = useMemo(() => {
    // Runs that never logged this key have an empty series: no line, and no member of a group.
    // A live run's cached series grows by its new rows (not while zoomed: the zoom asked for a range).
    const seriesOf = (id: string) => {
      const cached = cache.get(queryKey, id);
      const rows = range === undefined ? live?.get(id) : undefined;
      return cached === undefined || rows === undefined ? cached : appendRows(cached, rows, metric, xAxis);
    };
    const present = drawnRuns.filter((run) => (seriesOf(run.id)?.x.length ?? 0) > 0);
    if (present.length === 0) return runs.every((run) => cache.get(queryKey, run.id) !== undefined) ? { x: [], lines: [] } : undefined;
    const aligned = unionAlign(present.map((run) => seriesOf(run.id) as Series));
    const { smoothing } = settings;
    const span = aligned.x.length > 1 ? (aligned.x[aligned.x.length - 1] as number) - (aligned.x[0] as number) : 1;
    const effective = smoothing.kind === "gaussian" ? { kind: "gaussian" as const, sigma: (smoothing.sigma / 100) * span } : smoothing;
    const smoothed = (values: readonly (number | null)[]) =>
      smooth(
        aligned.x,
        values.map((v) => v ?? Number.NaN),
        effective,
      ).map((v, i) => (Number.isNaN(v) || values[i] === null ? null : v));
    let lines: ChartLine[];
    if (present.some((run) => run.group !== undefined)) {
      const groups = new Map<string, number[]>();
      present.forEach((run, i) => {
        groups.set(run.group ?? "", [...(groups.get(run.group ?? "") ?? []), i]);
      });
      lines = [...groups].map(([group, members]) => {
        const { mean, min, max } = groupAggregate(
          members.map((i) => fillInside(aligned.last[i] as (number | null)[])),
          aligned.x.length,
        );
        const color = present[members[0] as number]?.color as string;
        return { label: `${group || "(no group)"} (${members.length})`, values: smoothed(mean), min, max, color };
      });
    } else {
      lines = present.map((run, i) => ({
        key: run.id,
        label: run.name,
        color: run.color,
        values: smoothed(aligned.last[i] as (number | null)[]),
        // The bucket band only for a few runs: with many, bands hide each other.
        ...(withBands ? { min: aligned.min[i], max: aligned.max[i] } : {}),
      }));
    }
    return { x: aligned.x, lines };
  }, [
    version,
    queryKey,
    drawnRuns.map((run) => run.id).join(),
    live,
    // By value: the page parses the smoothing from its URL on every render, a new object each time.
    JSON.stringify(settings.smoothing),
    drawnRuns.map((run) => `${run.color}:${run.group ?? ""}`).join(),
    withBands,
  ]);
  const shownLines = chart?.lines.filter((line) => line.key === undefined || !hidden.has(line.key)).length ?? 0;

  return (
    <div class="panel overlay-panel" ref={box} data-panel={metric} data-runs={shownLines} data-x-axis={xAxis}>
      <div class="panel-head">
        <h3 title={metric}>{metric}</h3>
        <select aria-label={`${metric} x-axis`} value={xAxis} onChange={(e) => onXAxis(e.currentTarget.value || undefined)}>
          {xAxes.map((axis) => (
            <option key={axis} value={axis}>
              {xLabel(axis)}
            </option>
          ))}
        </select>
      </div>
      {error && <ErrorBox error={error} />}
      {chart && shownLines > 0 ? (
        <LineChart
          title=""
          x={chart.x}
          lines={chart.lines}
          xLabel={xLabel(xAxis)}
          yLabel={metric}
          logScale={settings.logScale}
          syncKey={syncKey}
          legend={false}
          onZoom={onZoom}
          hidden={hidden}
        />
      ) : (
        <div class="chart placeholder">{runs.length === 0 ? "no visible runs" : chart ? "not logged by the runs shown" : "…"}</div>
      )}
    </div>
  );
}
