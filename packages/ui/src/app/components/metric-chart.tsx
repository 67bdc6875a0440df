import { useEffect, useMemo, useState } from "preact/hooks";
import type { Series } from "../../lib/grid.ts";
import { smooth } from "../../lib/smoothing.ts";
import { defaultXAxis } from "../../lib/step-metric.ts";
import { type HistoryRow, type RunView, seriesOf } from "../api.ts";
import { ErrorBox } from "../use-async.tsx";
import { type ChartSettings, xLabel } from "./chart-controls.tsx";
import { LineChart } from "./line-chart.tsx";

const BUCKETS = 1000;

/** Live rows appended to a bucketed series; past twice the bucket count the chart re-queries instead. */
function appendLive(series: Series, rows: readonly HistoryRow[], key: string, xAxis: string): Series {
  const x = [...series.x];
  const last = [...series.last];
  const min = [...series.min];
  const max = [...series.max];
  const lastX = x[x.length - 1] ?? Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const value = row[key];
    const at = row[xAxis];
    if (typeof value !== "number" || typeof at !== "number" || at <= lastX) continue;
    x.push(at);
    last.push(value);
    min.push(value);
    max.push(value);
  }
  return { x, last, min, max, count: series.count };
}

/** One key of one run: bucketed to the chart's width, re-queried on zoom, growing with live rows. */
export function MetricChart({
  run,
  metric,
  settings,
  liveRows,
}: {
  run: RunView;
  metric: string;
  settings: ChartSettings;
  liveRows: readonly HistoryRow[];
}) {
  const [range, setRange] = useState<[number, number] | undefined>();
  const [series, setSeries] = useState<Series | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [refetch, setRefetch] = useState(0);
  const stream = metric.startsWith("system/") ? "system" : "history";
  const xAxis = stream === "system" ? "_runtime" : settings.xAxis || defaultXAxis([run.metrics], metric);

  useEffect(() => {
    let current = true;
    seriesOf(run, metric, { buckets: BUCKETS, xAxis, from: range?.[0], to: range?.[1] }).then(
      (result) => current && setSeries(result),
      (failure: Error) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [run.id, metric, xAxis, range?.[0], range?.[1], refetch]);

  const shown = useMemo(() => {
    if (series === undefined || range !== undefined || stream === "system") return series;
    return appendLive(series, liveRows, metric, xAxis);
  }, [series, liveRows, range, stream]);

  useEffect(() => {
    if (shown !== undefined && series !== undefined && shown.x.length > 2 * BUCKETS) setRefetch((n) => n + 1);
  }, [shown?.x.length]);

  const lines = useMemo(() => {
    if (shown === undefined) return [];
    const { smoothing } = settings;
    const span = shown.x.length > 1 ? (shown.x[shown.x.length - 1] as number) - (shown.x[0] as number) : 1;
    const effective = smoothing.kind === "gaussian" ? { kind: "gaussian" as const, sigma: (smoothing.sigma / 100) * span } : smoothing;
    return [{ label: metric, values: smooth(shown.x, shown.last, effective), min: shown.min, max: shown.max }];
  }, [shown, settings.smoothing]);

  if (error) return <ErrorBox error={error} />;
  if (shown === undefined) return <div class="chart placeholder">{metric}</div>;
  return <LineChart title={metric} x={shown.x} lines={lines} xLabel={xLabel(xAxis)} logScale={settings.logScale} onZoom={setRange} />;
}

/** Charts grouped in sections by the key's first `/` segment, like W&B's workspace. */
export function MetricSections({
  run,
  keys,
  settings,
  liveRows,
}: {
  run: RunView;
  keys: string[];
  settings: ChartSettings;
  liveRows: readonly HistoryRow[];
}) {
  const sections = new Map<string, string[]>();
  for (const key of keys) {
    const section = key.includes("/") ? (key.split("/")[0] as string) : "charts";
    sections.set(section, [...(sections.get(section) ?? []), key]);
  }
  if (keys.length === 0) return <p class="muted">No numeric metrics logged yet.</p>;
  return (
    <>
      {[...sections].map(([section, sectionKeys]) => (
        <details open key={section} class="section">
          <summary>
            {section} <span class="muted">({sectionKeys.length})</span>
          </summary>
          <div class="charts">
            {sectionKeys.map((key) => (
              <MetricChart key={key} run={run} metric={key} settings={settings} liveRows={liveRows} />
            ))}
          </div>
        </details>
      ))}
    </>
  );
}
