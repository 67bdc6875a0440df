import { useEffect, useMemo, useRef } from "preact/hooks";
import { formatNumber } from "../../lib/format.ts";
import { type HistogramRow, histogramGrid } from "../../lib/grid.ts";
import type { RunView } from "../api.ts";
import { ErrorBox } from "../use-async.tsx";
import { useKeyRows } from "./media-panel.tsx";

const ROWS = 64;

/** Histograms over time: x is the step, y the value, darker cells hold more of that step's samples. */
export function HistogramHeatmap({ run, histogramKey }: { run: RunView; histogramKey: string }) {
  const { data, error } = useKeyRows(run, histogramKey);
  const canvas = useRef<HTMLCanvasElement>(null);
  const grid = useMemo(() => {
    const histograms: HistogramRow[] = (data ?? []).map((row) => {
      const value = row[histogramKey] as { values: number[]; bins: number[] };
      return { step: row._step, values: value.values, bins: value.bins };
    });
    return histogramGrid(histograms, ROWS);
  }, [data]);

  useEffect(() => {
    const el = canvas.current;
    const context = el?.getContext("2d");
    if (!el || !context || grid.cells.length === 0) return;
    const width = el.width;
    const height = el.height;
    const cellWidth = width / grid.cells.length;
    const cellHeight = height / ROWS;
    context.clearRect(0, 0, width, height);
    grid.cells.forEach((column, c) => {
      for (let r = 0; r < ROWS; r++) {
        const v = column[r] as number;
        if (v <= 0) continue;
        context.fillStyle = `rgba(31, 119, 180, ${0.08 + 0.92 * v})`;
        context.fillRect(c * cellWidth, height - (r + 1) * cellHeight, Math.ceil(cellWidth), Math.ceil(cellHeight));
      }
    });
  }, [grid]);

  if (error) return <ErrorBox error={error} />;
  return (
    <div class="panel" data-histogram={histogramKey} data-steps={grid.steps.length}>
      <h3>{histogramKey}</h3>
      <div class="heatmap">
        <span class="axis-y">
          <span>{formatNumber(grid.hi)}</span>
          <span>{formatNumber(grid.lo)}</span>
        </span>
        <canvas ref={canvas} width={600} height={200} />
      </div>
      <div class="axis-x muted">
        <span>step {grid.steps[0] ?? ""}</span>
        <span>step {grid.steps[grid.steps.length - 1] ?? ""}</span>
      </div>
    </div>
  );
}
