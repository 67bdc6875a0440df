import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { formatNumber } from "../../lib/format.ts";

export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

export interface ChartLine {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** Per-point bucket min/max: drawn as a band behind the line, so no spike is hidden by smoothing or bucketing. */
  readonly min?: readonly number[];
  readonly max?: readonly number[];
}

export interface LineChartProps {
  readonly title: string;
  readonly x: readonly number[];
  readonly lines: readonly ChartLine[];
  readonly xLabel: string;
  readonly logScale?: boolean;
  readonly height?: number;
  /** A drag-selected x range (undefined: reset on double-click). The caller re-queries the buckets. */
  readonly onZoom?: (range: [number, number] | undefined) => void;
}

const positive = (values: readonly (number | null)[]) => values.map((v) => (v !== null && v > 0 ? v : null));

/** One uPlot chart: lines, optional min/max bands, log scale, drag to zoom, double-click to reset. */
export function LineChart({ title, x, lines, xLabel, logScale = false, height = 220, onZoom }: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const series: uPlot.Series[] = [{ label: xLabel }];
    const data: (readonly (number | null)[])[] = [x];
    const bands: uPlot.Band[] = [];
    lines.forEach((line, i) => {
      const color = PALETTE[i % PALETTE.length] as string;
      series.push({ label: line.label, stroke: color, width: 1.5, spanGaps: true, points: { show: false } });
      data.push(logScale ? positive(line.values) : line.values);
      if (line.min && line.max) {
        const upper = series.length;
        series.push({ label: `${line.label} max`, stroke: "transparent", points: { show: false }, spanGaps: true });
        data.push(logScale ? positive(line.max) : line.max);
        series.push({ label: `${line.label} min`, stroke: "transparent", points: { show: false }, spanGaps: true });
        data.push(logScale ? positive(line.min) : line.min);
        bands.push({ series: [upper, upper + 1], fill: `${color}33` });
      }
    });
    const options: uPlot.Options = {
      title,
      width: Math.max(200, el.clientWidth),
      height,
      series,
      bands,
      // The title names a single line; bands would add two legend entries per line.
      legend: { show: lines.length > 1 && lines.length <= 12 && bands.length === 0 },
      scales: { x: { time: false }, y: logScale ? { distr: 3 } : {} },
      axes: [{ label: xLabel }, { size: 64, values: (_u, ticks) => ticks.map((tick) => formatNumber(tick)) }],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 3) return;
            const range: [number, number] = [u.posToVal(u.select.left, "x"), u.posToVal(u.select.left + u.select.width, "x")];
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current?.(range);
          },
        ],
      },
    };
    const chart = new uPlot(options, data as uPlot.AlignedData, el);
    const reset = () => zoom.current?.(undefined);
    chart.over.addEventListener("dblclick", reset);
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [title, x, lines, xLabel, logScale, height]);

  return <div class="chart" ref={host} data-chart={title} data-series-count={lines.length} data-points={x.length} />;
}
