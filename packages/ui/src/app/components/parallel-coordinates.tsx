import { fieldOf } from "../../lib/fields.ts";
import { formatValue } from "../../lib/format.ts";
import type { RunView } from "../api.ts";

const WIDTH = 900;
const HEIGHT = 260;
const PAD = 30;

/** Where a value sits on its axis (0 bottom … 1 top): numbers by range, anything else by sorted category. */
function axisScale(values: unknown[]): (value: unknown) => number | undefined {
  const numbers = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (numbers.length === values.filter((v) => v !== undefined).length && numbers.length > 0) {
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    return (v) => (typeof v === "number" && Number.isFinite(v) ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : undefined);
  }
  const categories = [...new Set(values.filter((v) => v !== undefined).map((v) => formatValue(v)))].sort();
  return (v) => (v === undefined ? undefined : categories.length > 1 ? categories.indexOf(formatValue(v)) / (categories.length - 1) : 0.5);
}

/** One vertical axis per config key plus the metric; one line per run, colored by the metric. */
export function ParallelCoordinates({ runs, axes, metric }: { runs: RunView[]; axes: string[]; metric: string }) {
  const fields = [...axes, `summary.${metric}`];
  const records = runs.map((run) => run as unknown as Record<string, unknown>);
  const scales = fields.map((field) => axisScale(records.map((run) => fieldOf(run, field))));
  const metricScale = scales[scales.length - 1] as (value: unknown) => number | undefined;
  const step = fields.length > 1 ? (WIDTH - 2 * PAD) / (fields.length - 1) : 0;
  const yOf = (t: number) => HEIGHT - PAD - t * (HEIGHT - 2 * PAD);
  return (
    <svg
      class="parallel"
      width={WIDTH}
      height={HEIGHT}
      data-testid="parallel-coordinates"
      data-axes={fields.length}
      role="img"
      aria-label="parallel coordinates"
    >
      {runs.map((run, r) => {
        const record = records[r] as Record<string, unknown>;
        const points = fields
          .map((field, i) => {
            const t = (scales[i] as (value: unknown) => number | undefined)(fieldOf(record, field));
            return t === undefined ? undefined : `${PAD + i * step},${yOf(t)}`;
          })
          .filter(Boolean)
          .join(" ");
        const heat = metricScale(fieldOf(record, `summary.${metric}`)) ?? 0;
        return (
          <polyline key={run.id} points={points} class="pc-line" stroke={`hsl(${240 - 240 * heat}, 70%, 45%)`}>
            <title>{run.name}</title>
          </polyline>
        );
      })}
      {fields.map((field, i) => (
        <g key={field} transform={`translate(${PAD + i * step},0)`}>
          <line y1={PAD} y2={HEIGHT - PAD} class="pc-axis" />
          <text y={PAD - 10} text-anchor="middle" class="pc-label">
            {field.replace(/^(config|summary)\./, "")}
          </text>
        </g>
      ))}
    </svg>
  );
}
