import { fieldOf, flatten } from "../../lib/fields.ts";
import { formatNumber } from "../../lib/format.ts";
import { niceTicks } from "../../lib/ticks.ts";
import type { RunView } from "../api.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { ParallelCoordinates } from "./parallel-coordinates.tsx";

/** The workspace's panels over runs' summaries and configs (fields as `summary.loss`, `config.lr`). */
export type SummaryPanelSpec =
  | { kind: "bar"; metric: string }
  | { kind: "scatter"; x: string; y: string }
  | { kind: "parallel"; metric: string }
  | { kind: "importance"; metric: string };

const W = 480;
const H = 260;
const PAD = { left: 120, right: 16, top: 10, bottom: 36 };

const value = (run: RunView, field: string): number | undefined => {
  const raw = fieldOf(run as unknown as Record<string, unknown>, field);
  // A defineMetric summary ({ min, max, last… }) stands for its first statistic.
  const number = raw !== null && typeof raw === "object" ? Object.values(raw as Record<string, unknown>)[0] : raw;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
};
const short = (field: string) => field.replace(/^(config|summary)\./, "");

export function panelTitle(spec: SummaryPanelSpec): string {
  if (spec.kind === "scatter") return `${short(spec.y)} vs ${short(spec.x)}`;
  return `${spec.kind === "bar" ? "" : spec.kind === "parallel" ? "parameters → " : "importance for "}${short(spec.metric)}`;
}

/** A summary value across runs, one bar per run in its colour. */
function BarPanel({ runs, colors, metric }: { runs: readonly RunView[]; colors: ReadonlyMap<string, string>; metric: string }) {
  const bars = runs.flatMap((run) => {
    const v = value(run, metric);
    return v === undefined ? [] : [{ run, v }];
  });
  if (bars.length === 0) return <p class="muted">No shown run has {short(metric)}.</p>;
  const lo = Math.min(0, ...bars.map((b) => b.v));
  const hi = Math.max(0, ...bars.map((b) => b.v));
  const height = Math.max(60, bars.length * 18 + PAD.top + PAD.bottom);
  const sx = (v: number) => PAD.left + ((v - lo) / (hi - lo || 1)) * (W - PAD.left - PAD.right);
  return (
    <svg viewBox={`0 0 ${W} ${height}`} class="summary-svg" role="img" aria-label={`${short(metric)} per run`} data-bars={bars.length}>
      {bars.map(({ run, v }, i) => (
        <g key={run.id}>
          <text x={PAD.left - 6} y={PAD.top + i * 18 + 12} text-anchor="end">
            {run.name.length > 18 ? `${run.name.slice(0, 17)}…` : run.name}
          </text>
          <rect x={Math.min(sx(0), sx(v))} y={PAD.top + i * 18 + 2} width={Math.abs(sx(v) - sx(0))} height={14} fill={colors.get(run.id)}>
            <title>{`${run.name}: ${formatNumber(v)}`}</title>
          </rect>
        </g>
      ))}
      {niceTicks(lo, hi, 4).map((t) => (
        <text key={t} x={sx(t)} y={height - 8} text-anchor="middle">
          {formatNumber(t)}
        </text>
      ))}
    </svg>
  );
}

/** One point per run: a config or summary field against another. */
function ScatterPanel({ runs, colors, x, y }: { runs: readonly RunView[]; colors: ReadonlyMap<string, string>; x: string; y: string }) {
  const points = runs.flatMap((run) => {
    const px = value(run, x);
    const py = value(run, y);
    return px === undefined || py === undefined ? [] : [{ run, px, py }];
  });
  if (points.length === 0)
    return (
      <p class="muted">
        No shown run has both {short(x)} and {short(y)}.
      </p>
    );
  const [xlo, xhi] = [Math.min(...points.map((p) => p.px)), Math.max(...points.map((p) => p.px))];
  const [ylo, yhi] = [Math.min(...points.map((p) => p.py)), Math.max(...points.map((p) => p.py))];
  const left = 56;
  const sx = (v: number) => left + ((v - xlo) / (xhi - xlo || 1)) * (W - left - PAD.right);
  const sy = (v: number) => H - PAD.bottom - ((v - ylo) / (yhi - ylo || 1)) * (H - PAD.top - PAD.bottom);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      class="summary-svg"
      role="img"
      aria-label={`${short(y)} against ${short(x)}`}
      data-points={points.length}
    >
      <line x1={left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} class="summary-axis" />
      <line x1={left} x2={left} y1={PAD.top} y2={H - PAD.bottom} class="summary-axis" />
      {niceTicks(xlo, xhi, 4).map((t) => (
        <text key={`x${t}`} x={sx(t)} y={H - PAD.bottom + 14} text-anchor="middle">
          {formatNumber(t)}
        </text>
      ))}
      {niceTicks(ylo, yhi, 4).map((t) => (
        <text key={`y${t}`} x={left - 6} y={sy(t) + 3} text-anchor="end">
          {formatNumber(t)}
        </text>
      ))}
      <text x={(left + W) / 2} y={H - 4} text-anchor="middle" class="summary-label">
        {short(x)}
      </text>
      {points.map(({ run, px, py }) => (
        <circle key={run.id} cx={sx(px)} cy={sy(py)} r={4} fill={colors.get(run.id)}>
          <title>{`${run.name}: ${short(x)} ${formatNumber(px)}, ${short(y)} ${formatNumber(py)}`}</title>
        </circle>
      ))}
    </svg>
  );
}

/**
 * W&B's parameter importance: per config parameter (or only those in `params`, a sweep's), its
 * random-forest importance and correlation with the metric.
 */
export function ImportancePanel({ runs, metric, params }: { runs: readonly RunView[]; metric: string; params?: readonly string[] }) {
  // The forest library is loaded only when an importance panel is shown (a third of the app's size).
  const computed = useAsync(async () => {
    const { parameterImportance } = await import("../../lib/importance.ts");
    const only = params === undefined ? undefined : new Set(params);
    const paramsOf = (run: RunView) => Object.fromEntries(flatten(run.config).filter(([key]) => only === undefined || only.has(key)));
    return parameterImportance(runs.map((run) => ({ params: paramsOf(run), metric: value(run, metric) })));
  }, [metric, runs.map((run) => run.id).join(), params?.join()]);
  if (computed.error) return <ErrorBox error={computed.error} />;
  const rows = computed.data;
  if (rows === undefined) return <p class="muted">Fitting a random forest…</p>;
  if (rows.length === 0) return <p class="muted">Needs 3 or more shown runs with {short(metric)} and a parameter that varies.</p>;
  return (
    <table class="grid importance" data-testid="importance">
      <thead>
        <tr>
          <th>parameter</th>
          <th>importance</th>
          <th>correlation</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.param} data-param={row.param}>
            <td>{row.param}</td>
            <td class="num">
              <span class="meter" style={{ width: `${Math.round(row.importance * 100)}%` }} /> {formatNumber(row.importance)}
            </td>
            <td class={`num ${row.correlation < 0 ? "negative" : "positive"}`}>{formatNumber(row.correlation)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Config keys that differ between the runs (at most 8): the axes worth showing. */
export function varyingConfigKeys(runs: readonly RunView[]): string[] {
  const values = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const [key, v] of flatten(run.config)) {
      const seen = values.get(key) ?? new Set();
      seen.add(JSON.stringify(v));
      values.set(key, seen);
    }
  }
  return [...values]
    .filter(([, seen]) => seen.size > 1)
    .map(([key]) => `config.${key}`)
    .slice(0, 8);
}

export function SummaryPanel({
  spec,
  runs,
  colors,
  onRemove,
}: {
  spec: SummaryPanelSpec;
  runs: readonly RunView[];
  colors: ReadonlyMap<string, string>;
  onRemove(): void;
}) {
  const title = panelTitle(spec);
  return (
    <div class="panel summary-panel" data-summary-panel={spec.kind}>
      <div class="panel-head">
        <h3 title={title}>{title}</h3>
        <button type="button" aria-label={`remove panel ${title}`} onClick={onRemove}>
          ✕
        </button>
      </div>
      {spec.kind === "bar" && <BarPanel runs={runs} colors={colors} metric={spec.metric} />}
      {spec.kind === "scatter" && <ScatterPanel runs={runs} colors={colors} x={spec.x} y={spec.y} />}
      {spec.kind === "importance" && <ImportancePanel runs={runs} metric={spec.metric} />}
      {spec.kind === "parallel" && <ParallelCoordinates runs={[...runs]} axes={varyingConfigKeys(runs)} metric={short(spec.metric)} />}
    </div>
  );
}
