import { type ChartModel, chartModel, type TableData } from "../../lib/chart-spec.ts";
import { formatNumber } from "../../lib/format.ts";
import { niceTicks } from "../../lib/ticks.ts";
import { getJson, type RunView, runPath } from "../api.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { PALETTE } from "./line-chart.tsx";

const W = 480;
const H = 300;
const PAD = { left: 56, right: 12, top: 12, bottom: 44 };
const innerW = W - PAD.left - PAD.right;
const innerH = H - PAD.top - PAD.bottom;

interface CustomChartValue {
  _type: "custom-chart";
  chart_id?: string;
  spec?: Record<string, unknown>;
  table?: { path?: string };
}

/** A `plot.*` chart: its table fetched from the run's files, drawn natively as SVG (text is escaped by Preact). */
export function CustomChartView({ run, value }: { run: RunView; value: CustomChartValue }) {
  const path = value.table?.path;
  const table = useAsync(
    () => (path ? getJson<TableData>(`${runPath(run)}/file/${path}`) : Promise.reject(new Error("this chart has no table"))),
    [run.id, path],
  );
  if (table.error) return <ErrorBox error={table.error} />;
  if (!table.data) return <div class="chart placeholder">{value.chart_id}</div>;
  const model = chartModel(value.spec ?? {}, table.data);
  const title = typeof value.spec?.title === "string" ? value.spec.title : (value.chart_id ?? "chart");
  return (
    <figure class="custom-chart" data-testid="custom-chart" data-chart-kind={model.kind} data-chart-id={value.chart_id}>
      <figcaption>{title}</figcaption>
      {model.kind === "unsupported" ? <p class="muted">Cannot draw this chart: {model.reason}.</p> : <Plot model={model} />}
    </figure>
  );
}

function Axes({
  x,
  y,
  xLabel,
  yLabel,
}: {
  x: { at: number; label: string }[];
  y: { at: number; label: string }[];
  xLabel: string;
  yLabel: string;
}) {
  return (
    <g class="axes">
      <line x1={PAD.left} x2={PAD.left + innerW} y1={PAD.top + innerH} y2={PAD.top + innerH} />
      <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + innerH} />
      {x.map((tick) => (
        <text key={`x${tick.at}`} x={tick.at} y={PAD.top + innerH + 14} text-anchor="middle">
          {tick.label}
        </text>
      ))}
      {y.map((tick) => (
        <text key={`y${tick.at}`} x={PAD.left - 6} y={tick.at + 4} text-anchor="end">
          {tick.label}
        </text>
      ))}
      <text x={PAD.left + innerW / 2} y={H - 6} text-anchor="middle" class="axis-label">
        {xLabel}
      </text>
      <text transform={`translate(12 ${PAD.top + innerH / 2}) rotate(-90)`} text-anchor="middle" class="axis-label">
        {yLabel}
      </text>
    </g>
  );
}

function linear(lo: number, hi: number, from: number, to: number): (v: number) => number {
  const span = hi - lo || 1;
  return (v) => from + ((v - lo) / span) * (to - from);
}

function Plot({ model }: { model: Exclude<ChartModel, { kind: "unsupported" }> }) {
  let body: preact.ComponentChild = null;
  let axes: preact.ComponentChild = null;
  let legend: { name: string; color: string }[] = [];
  if (model.kind === "xy") {
    const all = model.series.flatMap((s) => s.points);
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const [xlo, xhi] = [Math.min(...xs), Math.max(...xs)];
    const [ylo, yhi] = [Math.min(0, ...ys), Math.max(...ys)];
    const sx = linear(xlo, xhi, PAD.left, PAD.left + innerW);
    const sy = linear(ylo, yhi, PAD.top + innerH, PAD.top);
    legend = model.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length] as string }));
    body = model.series.map((s, i) => {
      const color = PALETTE[i % PALETTE.length] as string;
      return model.mark === "line" ? (
        <polyline
          key={s.name}
          fill="none"
          stroke={color}
          stroke-width={1.5}
          points={s.points.map(([px, py]) => `${sx(px)},${sy(py)}`).join(" ")}
        >
          <title>{s.name}</title>
        </polyline>
      ) : (
        <g key={s.name} fill={color}>
          {s.points.map(([px, py], j) => (
            <circle key={j} cx={sx(px)} cy={sy(py)} r={3}>
              <title>{`${s.name}: (${formatNumber(px)}, ${formatNumber(py)})`}</title>
            </circle>
          ))}
        </g>
      );
    });
    axes = (
      <Axes
        x={niceTicks(xlo, xhi).map((t) => ({ at: sx(t), label: formatNumber(t) }))}
        y={niceTicks(ylo, yhi).map((t) => ({ at: sy(t), label: formatNumber(t) }))}
        xLabel={model.xLabel}
        yLabel={model.yLabel}
      />
    );
  } else if (model.kind === "bar" || model.kind === "histogram") {
    const bars =
      model.kind === "bar"
        ? model.bars.map((b) => ({ label: b.label, value: b.value, title: b.label }))
        : model.bins.map((b) => ({ label: formatNumber(b.lo), value: b.count, title: `${formatNumber(b.lo)}–${formatNumber(b.hi)}` }));
    const values = bars.map((b) => b.value);
    const [ylo, yhi] = [Math.min(0, ...values), Math.max(0, ...values)];
    const sy = linear(ylo, yhi, PAD.top + innerH, PAD.top);
    const width = innerW / Math.max(1, bars.length);
    body = (
      <g fill={PALETTE[0]}>
        {bars.map((b, i) => (
          <rect
            key={i}
            x={PAD.left + i * width + 1}
            width={Math.max(1, width - 2)}
            y={Math.min(sy(b.value), sy(0))}
            height={Math.abs(sy(b.value) - sy(0))}
          >
            <title>{`${b.title}: ${formatNumber(b.value)}`}</title>
          </rect>
        ))}
      </g>
    );
    const every = Math.ceil(bars.length / 6);
    axes = (
      <Axes
        x={bars.flatMap((b, i) => (i % every === 0 ? [{ at: PAD.left + (i + 0.5) * width, label: b.label }] : []))}
        y={niceTicks(ylo, yhi).map((t) => ({ at: sy(t), label: formatNumber(t) }))}
        xLabel={model.xLabel}
        yLabel={model.kind === "bar" ? model.yLabel : "count"}
      />
    );
  } else {
    const cw = innerW / Math.max(1, model.xs.length);
    const ch = innerH / Math.max(1, model.ys.length);
    body = model.cells.map((row, r) =>
      row.map((value, c) => {
        const t = model.max > 0 ? value / model.max : 0;
        return (
          <g key={`${r}:${c}`}>
            <rect x={PAD.left + c * cw} y={PAD.top + r * ch} width={cw} height={ch} fill={`hsl(210 70% ${92 - 55 * t}%)`}>
              <title>{`${model.yLabel} ${model.ys[r]}, ${model.xLabel} ${model.xs[c]}: ${formatNumber(value)}`}</title>
            </rect>
            <text
              x={PAD.left + (c + 0.5) * cw}
              y={PAD.top + (r + 0.5) * ch + 4}
              text-anchor="middle"
              class={t > 0.55 ? "cell-dark" : "cell-light"}
            >
              {formatNumber(value)}
            </text>
          </g>
        );
      }),
    );
    axes = (
      <Axes
        x={model.xs.map((label, c) => ({ at: PAD.left + (c + 0.5) * cw, label }))}
        y={model.ys.map((label, r) => ({ at: PAD.top + (r + 0.5) * ch, label }))}
        xLabel={model.xLabel}
        yLabel={model.yLabel}
      />
    );
  }
  return (
    <>
      <svg viewBox={`0 0 ${W} ${H}`} class="custom-chart-svg" role="img" aria-label={`${model.kind} chart`}>
        {body}
        {axes}
      </svg>
      {legend.length > 1 && (
        <ul class="chart-legend">
          {legend.map((entry) => (
            <li key={entry.name}>
              <span class="swatch" style={{ background: entry.color }} /> {entry.name}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
