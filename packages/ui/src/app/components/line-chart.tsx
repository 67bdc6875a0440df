import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber } from "../../lib/format.ts";
import { cssColor, useTheme } from "../../lib/theme.ts";

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export interface ChartLine {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** The line's colour (a run's colour in the workspace); the palette by position otherwise. */
  readonly color?: string;
  /** Per-point bucket min/max: drawn as a band behind the line, so no spike is hidden by smoothing or bucketing. */
  readonly min?: readonly (number | null)[];
  readonly max?: readonly (number | null)[];
  /** Names the line for `hidden` (a run id in the workspace). */
  readonly key?: string;
}

export interface LineChartProps {
  readonly title: string;
  readonly x: readonly number[];
  readonly lines: readonly ChartLine[];
  readonly xLabel: string;
  readonly yLabel?: string;
  readonly logScale?: boolean;
  readonly height?: number;
  /** Charts with the same key move one crosshair together (the workspace's panels). */
  readonly syncKey?: string;
  /** Shows the legend under the chart (the workspace's panels list their runs in the tooltip instead). */
  readonly legend?: boolean;
  /** A drag-selected x range (undefined: reset on double-click). The caller re-queries the buckets. */
  readonly onZoom?: (range: [number, number] | undefined) => void;
  /** Keys of lines drawn but not shown: toggled with uPlot's setSeries, so the chart is not rebuilt. */
  readonly hidden?: ReadonlySet<string>;
}

/** Lines sparser than this many points get markers, so a short run (or one point) is visible. */
const SPARSE_POINTS = 60;

const positive = (values: readonly (number | null)[]) => values.map((v) => (v !== null && v > 0 ? v : null));
const countValues = (values: readonly (number | null)[]) => values.reduce<number>((n, v) => (v === null ? n : n + 1), 0);

/** The uPlot data arrays, in the order the chart's series are built: x, then each line and its band (max, min). */
function chartData(x: readonly number[], lines: readonly ChartLine[], logScale: boolean): (readonly (number | null)[])[] {
  const data: (readonly (number | null)[])[] = [x];
  for (const line of lines) {
    data.push(logScale ? positive(line.values) : line.values);
    if (line.min && line.max) data.push(logScale ? positive(line.max) : line.max, logScale ? positive(line.min) : line.min);
  }
  return data;
}

/** Each line's first and last x with a value: the x scale spans the shown lines only. */
function lineExtents(x: readonly number[], lines: readonly ChartLine[]): ([number, number] | undefined)[] {
  return lines.map((line) => {
    const first = line.values.findIndex((v) => v !== null);
    let last = line.values.length - 1;
    while (last > first && line.values[last] === null) last--;
    return first === -1 ? undefined : ([x[first], x[last]] as [number, number]);
  });
}

/**
 * What needs a new uPlot (series, colours, bands, markers); anything else is new data for the
 * chart already built (uPlot's setData), so a live run's new points do not rebuild every panel.
 */
function structureOf(lines: readonly ChartLine[]): string {
  return JSON.stringify(
    lines.map((line) => [
      line.key,
      line.label,
      line.color,
      line.min !== undefined && line.max !== undefined,
      countValues(line.values) <= SPARSE_POINTS,
    ]),
  );
}

/** A degenerate range (one point, or a flat line) widened so uPlot draws it in the middle. */
function padded(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) return [0, 1];
  if (min !== max) return [min, max];
  const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
  return [min - pad, max + pad];
}

/** The hover readout: every line's value at the cursor, highest first, in the line's colour. Text only. */
function renderTooltip(box: HTMLDivElement, u: uPlot, lines: readonly ChartLine[], lineIndex: readonly number[], colors: string[]) {
  const idx = u.cursor.idx;
  if (idx === null || idx === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
    box.hidden = true;
    return;
  }
  const entries = lines
    .map((line, i) => ({
      label: line.label,
      color: colors[i] as string,
      // A hidden line has no readout.
      value: u.series[lineIndex[i] as number]?.show === false ? undefined : u.data[lineIndex[i] as number]?.[idx],
    }))
    .filter((entry): entry is { label: string; color: string; value: number } => typeof entry.value === "number")
    .sort((a, b) => b.value - a.value);
  if (entries.length === 0) {
    box.hidden = true;
    return;
  }
  box.replaceChildren();
  const head = document.createElement("div");
  head.className = "tooltip-x";
  head.textContent = formatNumber(u.data[0][idx] as number);
  box.append(head);
  for (const entry of entries) {
    const row = document.createElement("div");
    row.className = "tooltip-row";
    row.dataset.label = entry.label;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = entry.color;
    const name = document.createElement("span");
    name.className = "tooltip-name";
    name.textContent = entry.label;
    const value = document.createElement("span");
    value.className = "tooltip-value";
    value.textContent = formatNumber(entry.value);
    row.append(swatch, name, value);
    box.append(row);
  }
  box.hidden = false;
  // Positioned in the chart box (the tooltip's offset parent), beside the cursor, kept inside the box.
  const over = u.over.getBoundingClientRect();
  const parent = (box.offsetParent ?? u.root).getBoundingClientRect();
  const left = over.left - parent.left + (u.cursor.left ?? 0) + 12;
  box.style.left = `${Math.max(0, Math.min(left, parent.width - box.offsetWidth - 4))}px`;
  box.style.top = `${over.top - parent.top + (u.cursor.top ?? 0) + 12}px`;
}

/** One uPlot chart: lines, min/max bands, markers when sparse, log scale, hover readout, drag to zoom, double-click to reset. */
export function LineChart({
  title,
  x,
  lines,
  xLabel,
  yLabel,
  logScale = false,
  height = 220,
  syncKey,
  legend,
  onZoom,
  hidden,
}: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;
  const hiddenNow = useRef(hidden);
  hiddenNow.current = hidden;
  const built = useRef<
    | {
        applyHidden: () => void;
        update: (x: readonly number[], lines: readonly ChartLine[]) => void;
        drawn: { x: unknown; lines: unknown };
      }
    | undefined
  >(undefined);
  const theme = useTheme();
  const latest = useRef({ x, lines });
  latest.current = { x, lines };
  const structure = structureOf(lines);

  useEffect(() => {
    const el = host.current;
    const box = tooltip.current;
    if (el === null || box === null) return;
    const axis = cssColor("--chart-axis") || "#4b5563";
    const grid = cssColor("--chart-grid") || "#e5e7eb";
    const { x, lines } = latest.current;
    const series: uPlot.Series[] = [{ label: xLabel }];
    const bands: uPlot.Band[] = [];
    const lineIndex: number[] = [];
    // uPlot series indices of each keyed line (the line and its band), for setSeries.
    const keyed = new Map<string, number[]>();
    const colors = lines.map((line, i) => line.color ?? (PALETTE[i % PALETTE.length] as string));
    let extents = lineExtents(x, lines);
    const isHidden = (line: ChartLine) => line.key !== undefined && hiddenNow.current?.has(line.key) === true;
    lines.forEach((line, i) => {
      const color = colors[i] as string;
      const sparse = countValues(line.values) <= SPARSE_POINTS;
      const show = !isHidden(line);
      lineIndex.push(series.length);
      const indices = [series.length];
      series.push({
        show,
        label: line.label,
        stroke: color,
        fill: undefined,
        width: 1.5,
        spanGaps: true,
        points: { show: sparse, size: 5, fill: color },
      });
      if (line.min && line.max) {
        const upper = series.length;
        series.push({ show, label: `${line.label} max`, stroke: "transparent", points: { show: false }, spanGaps: true });
        series.push({ show, label: `${line.label} min`, stroke: "transparent", points: { show: false }, spanGaps: true });
        bands.push({ series: [upper, upper + 1], fill: `${color}33` });
        indices.push(upper, upper + 1);
      }
      if (line.key !== undefined) keyed.set(line.key, indices);
    });
    const shownExtent = (): [number, number] | undefined => {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      lines.forEach((line, i) => {
        const extent = extents[i];
        if (extent === undefined || isHidden(line)) return;
        lo = Math.min(lo, extent[0]);
        hi = Math.max(hi, extent[1]);
      });
      return lo <= hi ? [lo, hi] : undefined;
    };
    const options: uPlot.Options = {
      title,
      width: Math.max(200, el.clientWidth),
      height,
      series,
      bands,
      // The title names a single line; bands would add two legend entries per line.
      legend: { show: legend ?? (lines.length > 1 && lines.length <= 12 && bands.length === 0) },
      scales: {
        x: {
          time: false,
          range: (_u, min, max) => {
            const extent = shownExtent();
            return extent ? padded(extent[0], extent[1]) : padded(min, max);
          },
        },
        y: logScale ? { distr: 3 } : { range: (_u, min, max) => padded(min, max) },
      },
      axes: [
        { label: xLabel, stroke: axis, grid: { stroke: grid }, ticks: { stroke: grid } },
        {
          label: yLabel,
          stroke: axis,
          grid: { stroke: grid },
          ticks: { stroke: grid },
          size: 64,
          values: (_u, ticks) => ticks.map((tick) => formatNumber(tick)),
        },
      ],
      cursor: { drag: { x: true, y: false, setScale: false }, ...(syncKey ? { sync: { key: syncKey } } : {}) },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const range: [number, number] = [u.posToVal(u.select.left, "x"), u.posToVal(u.select.left + u.select.width, "x")];
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current?.(range);
          },
        ],
        setCursor: [(u) => renderTooltip(box, u, lines, lineIndex, colors)],
      },
    };
    const chart = new uPlot(options, chartData(x, lines, logScale) as uPlot.AlignedData, el);
    const shownState = new Map(lines.map((line) => [line.key, !isHidden(line)]));
    const applyHidden = () => {
      let changed = false;
      for (const line of lines) {
        if (line.key === undefined) continue;
        const show = !isHidden(line);
        if (shownState.get(line.key) === show) continue;
        shownState.set(line.key, show);
        for (const index of keyed.get(line.key) ?? []) chart.setSeries(index, { show }, false);
        changed = true;
      }
      // setSeries re-ranges y; the x range follows the shown lines too.
      if (changed) chart.setScale("x", { min: chart.data[0][0] as number, max: chart.data[0][chart.data[0].length - 1] as number });
    };
    // Same series, new values: setData re-ranges and redraws the canvas only.
    const update = (nextX: readonly number[], nextLines: readonly ChartLine[]) => {
      extents = lineExtents(nextX, nextLines);
      chart.setData(chartData(nextX, nextLines, logScale) as uPlot.AlignedData);
      el.dataset.points = String(nextX.length);
      drawn.x = nextX;
      drawn.lines = nextLines;
    };
    const drawn: { x: unknown; lines: unknown } = { x, lines };
    built.current = { applyHidden, update, drawn };
    const reset = () => zoom.current?.(undefined);
    const hide = () => {
      box.hidden = true;
    };
    chart.over.addEventListener("dblclick", reset);
    chart.over.addEventListener("mouseleave", hide);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      built.current = undefined;
    };
  }, [title, structure, xLabel, yLabel, logScale, height, syncKey, legend, theme]);

  useEffect(() => {
    const chart = built.current;
    if (chart !== undefined && (chart.drawn.x !== x || chart.drawn.lines !== lines)) chart.update(x, lines);
  }, [x, lines]);

  // Showing or hiding lines: setSeries on the chart already built (a rebuild per toggle was the cost).
  useEffect(() => built.current?.applyHidden(), [hidden]);

  return (
    <div class="chart-box">
      <div class="chart" ref={host} data-chart={title} data-series-count={lines.length} data-points={x.length} data-x-label={xLabel} />
      <div class="chart-tooltip" ref={tooltip} data-testid="chart-tooltip" hidden />
    </div>
  );
}
