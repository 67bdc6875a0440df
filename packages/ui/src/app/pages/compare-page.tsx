import { useMemo, useState } from "preact/hooks";
import { alignOnGrid, type Series } from "../../lib/grid.ts";
import { smooth } from "../../lib/smoothing.ts";
import { getJson, query, type RunsPage, type RunView } from "../api.ts";
import { ChartControls, type ChartSettings, DEFAULT_SETTINGS } from "../components/chart-controls.tsx";
import { LineChart } from "../components/line-chart.tsx";
import { ParallelCoordinates } from "../components/parallel-coordinates.tsx";
import { varyingConfigKeys } from "../components/summary-panels.tsx";
import { type Route, updateParams } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";

/** Compare: any selection of runs overlaid on one chart (one request, one bucket grid), and config → summary in parallel coordinates. */
export function ComparePage({ entity, project, route }: { entity: string; project: string; route: Route }) {
  const ids = (route.params.get("runs") ?? "").split(",").filter(Boolean);
  const base = `/projects/${encodeURIComponent(entity)}/${encodeURIComponent(project)}`;
  const runs = useAsync(
    () => getJson<RunsPage>(`${base}/runs${query({ filters: JSON.stringify({ id: { $in: ids } }), limit: 1000, order: "+name" })}`),
    [ids.join()],
  );
  const metrics = useMemo(() => {
    const keys = new Set<string>();
    for (const run of runs.data?.runs ?? [])
      for (const [key, value] of Object.entries(run.summary)) if (typeof value === "number" && !key.startsWith("_")) keys.add(key);
    return [...keys].sort();
  }, [runs.data]);
  const metric = route.params.get("metric") ?? metrics[0] ?? "";

  if (ids.length === 0) return <p class="muted">Select runs in the runs table, then press Compare.</p>;
  if (runs.error) return <ErrorBox error={runs.error} />;
  if (!runs.data) return <p class="muted">Loading {ids.length} runs…</p>;
  return (
    <section>
      <h1>Compare {runs.data.runs.length} runs</h1>
      <div class="toolbar">
        <label>
          metric{" "}
          <select aria-label="metric" value={metric} onChange={(e) => updateParams({ metric: e.currentTarget.value })}>
            {metrics.map((key) => (
              <option key={key}>{key}</option>
            ))}
          </select>
        </label>
      </div>
      {metric && <OverlayChart base={base} runs={runs.data.runs} metric={metric} />}
      <h2>Parameters → {metric}</h2>
      <ParallelCoordinates runs={runs.data.runs} axes={varyingConfigKeys(runs.data.runs)} metric={metric} />
    </section>
  );
}

function OverlayChart({ base, runs, metric }: { base: string; runs: RunView[]; metric: string }) {
  const [settings, setSettings] = useState<ChartSettings>({ ...DEFAULT_SETTINGS, xAxis: "_step" });
  const [range, setRange] = useState<[number, number] | undefined>();
  const buckets = runs.length > 20 ? 500 : 1000;
  const lo = range?.[0] ?? 0;
  const hi = range?.[1] ?? Math.max(1, ...runs.map((run) => run.lastStep));
  const series = useAsync(
    () =>
      getJson<Record<string, Series>>(
        `${base}/series${query({ key: metric, runs: runs.map((run) => run.id).join(","), buckets, from: lo, to: hi })}`,
      ),
    [metric, runs.map((run) => run.id).join(), lo, hi],
  );
  const chart = useMemo(() => {
    if (!series.data) return undefined;
    const data = series.data;
    const { x, ys } = alignOnGrid(
      runs.map((run) => data[run.id] ?? { x: [], min: [], max: [], last: [], count: [] }),
      buckets,
      lo,
      hi,
    );
    const { smoothing } = settings;
    const effective = smoothing.kind === "gaussian" ? { kind: "gaussian" as const, sigma: (smoothing.sigma / 100) * (hi - lo) } : smoothing;
    const lines = runs.map((run, i) => {
      const raw = (ys[i] ?? []).map((v) => v ?? Number.NaN);
      return { label: run.name, values: smooth(x, raw, effective).map((v) => (Number.isNaN(v) ? null : v)) };
    });
    return { x, lines };
  }, [series.data, settings.smoothing]);
  if (series.error) return <ErrorBox error={series.error} />;
  return (
    <>
      <ChartControls settings={settings} xAxes={["_step"]} onChange={setSettings} />
      {chart ? (
        <LineChart
          title={metric}
          x={chart.x}
          lines={chart.lines}
          xLabel="step"
          logScale={settings.logScale}
          height={320}
          onZoom={setRange}
        />
      ) : (
        <div class="chart placeholder">{metric}</div>
      )}
    </>
  );
}
