import { useEffect, useMemo, useRef } from "preact/hooks";
import { formatNumber } from "../../lib/format.ts";
import { type HistogramRow, histogramGrid, histogramRange } from "../../lib/grid.ts";
import { type Theme, useTheme } from "../../lib/theme.ts";
import type { HistoryRow, RunView } from "../api.ts";
import { useRunsKeyRows } from "../key-rows.ts";
import { ErrorBox } from "../use-async.tsx";
import { useInView } from "../use-in-view.ts";

const ROWS = 48;
const WIDTH = 600;
const HEIGHT = 96;

/** Colour stops from few to many samples: blues on the light page, viridis on the dark one. */
const RAMPS: Record<Theme, [number, number, number][]> = {
  light: [
    [222, 235, 247],
    [107, 174, 214],
    [33, 113, 181],
    [8, 48, 107],
  ],
  dark: [
    [68, 1, 84],
    [49, 104, 142],
    [53, 183, 121],
    [253, 231, 37],
  ],
};

/** The ramp's colour at v in (0, 1]. */
export function heatColor(v: number, theme: Theme): string {
  const ramp = RAMPS[theme];
  const t = Math.min(1, Math.max(0, v)) * (ramp.length - 1);
  const i = Math.min(ramp.length - 2, Math.floor(t));
  const f = t - i;
  const [a, b] = [ramp[i] as [number, number, number], ramp[i + 1] as [number, number, number]];
  return `rgb(${a.map((c, k) => Math.round(c + ((b[k] as number) - c) * f)).join(",")})`;
}

export const isHistogram = (value: unknown) =>
  value !== null && typeof value === "object" && (value as { _type?: unknown })._type === "histogram";

function histogramsOf(rows: readonly HistoryRow[], key: string): HistogramRow[] {
  return rows.flatMap((row) => {
    const value = row[key] as { values?: unknown; bins?: unknown };
    return Array.isArray(value?.values) && Array.isArray(value?.bins)
      ? [{ step: row._step, values: value.values as number[], bins: value.bins as number[] }]
      : [];
  });
}

/**
 * A histogram key over time for every visible run: one heatmap strip per run on shared axes
 * (x = step over all the runs' steps, y = value over all their bins, colour = that step's count
 * relative to its peak), with the run's colour and name on each strip.
 */
export function HistogramRunsPanel({
  histogramKey,
  runs,
  colors,
  live,
}: {
  histogramKey: string;
  runs: readonly RunView[];
  colors: ReadonlyMap<string, string>;
  live?: ReadonlyMap<string, readonly HistoryRow[]>;
}) {
  const box = useRef<HTMLDivElement>(null);
  const inView = useInView(box);
  const theme = useTheme();
  const { rows, error, complete } = useRunsKeyRows(runs, histogramKey, inView, live);
  const signature = [...rows].map(([id, list]) => `${id}:${list.length}`).join();
  const model = useMemo(() => {
    const perRun = [...rows].map(([id, list]) => [id, histogramsOf(list, histogramKey)] as const);
    const range = histogramRange(perRun.flatMap(([, histograms]) => histograms));
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const [, histograms] of perRun)
      for (const h of histograms) {
        first = Math.min(first, h.step);
        last = Math.max(last, h.step);
      }
    return { perRun: perRun.map(([id, histograms]) => [id, histogramGrid(histograms, ROWS, range)] as const), range, first, last };
  }, [signature, histogramKey]);
  const shown = runs.filter((run) => (model.perRun.find(([id]) => id === run.id)?.[1].steps.length ?? 0) > 0);
  const [lo, hi] = model.range;
  return (
    <div class="panel histogram-runs-panel" ref={box} data-histogram-panel={histogramKey} data-runs={shown.length}>
      <div class="panel-head">
        <h3 title={histogramKey}>{histogramKey}</h3>
        <span class="heat-scale muted" data-testid="heat-scale">
          fewer
          <span
            class="heat-ramp"
            style={{ background: `linear-gradient(to right, ${[0, 0.33, 0.66, 1].map((v) => heatColor(v, theme)).join(",")})` }}
          />
          more
        </span>
      </div>
      {error && <ErrorBox error={error} />}
      {runs.length === 0 ? (
        <p class="muted">no visible runs</p>
      ) : !complete && rows.size === 0 ? (
        <p class="muted">…</p>
      ) : shown.length === 0 ? (
        <p class="muted">not logged by the runs shown</p>
      ) : (
        <>
          {shown.map((run) => (
            <div
              class="heat-strip"
              key={run.id}
              data-run-id={run.id}
              data-steps={model.perRun.find(([id]) => id === run.id)?.[1].steps.length}
            >
              <div class="media-run" title={run.name}>
                <span class="swatch" style={{ background: colors.get(run.id) }} />
                <span class="media-run-name">{run.name}</span>
              </div>
              <div class="heatmap">
                <span class="axis-y">
                  <span>{formatNumber(hi)}</span>
                  <span>{formatNumber(lo)}</span>
                </span>
                <HeatStrip
                  grid={model.perRun.find(([id]) => id === run.id)?.[1] as ReturnType<typeof histogramGrid>}
                  first={model.first}
                  last={model.last}
                  theme={theme}
                  label={`${histogramKey} of ${run.name}`}
                />
              </div>
            </div>
          ))}
          <div class="axis-x muted">
            <span>step {model.first}</span>
            <span>step {model.last}</span>
          </div>
        </>
      )}
    </div>
  );
}

function HeatStrip({
  grid,
  first,
  last,
  theme,
  label,
}: {
  grid: ReturnType<typeof histogramGrid>;
  first: number;
  last: number;
  theme: Theme;
  label: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext("2d");
    if (!context) return;
    context.clearRect(0, 0, WIDTH, HEIGHT);
    // Each step's column reaches to this run's next step; the last one is one step wide.
    const span = last + 1 - first;
    const xOf = (step: number) => ((step - first) / span) * WIDTH;
    const cellHeight = HEIGHT / ROWS;
    grid.cells.forEach((column, c) => {
      const step = grid.steps[c] as number;
      const x0 = xOf(step);
      const x1 = xOf(grid.steps[c + 1] ?? step + 1);
      for (let r = 0; r < ROWS; r++) {
        const v = column[r] as number;
        if (v <= 0) continue;
        context.fillStyle = heatColor(v, theme);
        context.fillRect(Math.floor(x0), HEIGHT - (r + 1) * cellHeight, Math.max(1, Math.ceil(x1 - x0)), Math.ceil(cellHeight));
      }
    });
  }, [grid, first, last, theme]);
  return <canvas ref={canvas} width={WIDTH} height={HEIGHT} role="img" aria-label={label} />;
}
