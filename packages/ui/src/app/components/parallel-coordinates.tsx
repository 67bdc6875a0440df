import { fieldOf } from "../../lib/fields.ts";
import { formatNumber, formatValue } from "../../lib/format.ts";
import { niceTicks } from "../../lib/ticks.ts";
import type { RunView } from "../api.ts";

const WIDTH = 900;
const HEIGHT = 300;
const PAD = { x: 60, top: 30, bottom: 40 };

interface Axis {
  /** Where a value sits on the axis (0 bottom … 1 top), undefined when the run has none. */
  position(value: unknown): number | undefined;
  ticks: { at: number; label: string }[];
}

/** Numbers by range with round ticks; anything else by sorted category, each category a tick. */
function axisOf(values: unknown[]): Axis {
  const present = values.filter((v) => v !== undefined);
  const numbers = present.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (numbers.length === present.length && numbers.length > 0) {
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    const position = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : undefined);
    const ticks = (hi > lo ? niceTicks(lo, hi, 4) : [lo]).map((t) => ({ at: position(t) as number, label: formatNumber(t) }));
    return { position, ticks };
  }
  const categories = [...new Set(present.map((v) => formatValue(v)))].sort();
  const position = (v: unknown) =>
    v === undefined ? undefined : categories.length > 1 ? categories.indexOf(formatValue(v)) / (categories.length - 1) : 0.5;
  return { position, ticks: categories.slice(0, 12).map((label) => ({ at: position(label) as number, label })) };
}

const heatColor = (t: number) => `hsl(${240 - 240 * t}, 70%, 45%)`;

/** One vertical axis per config key plus the metric, with tick values; one line per run, coloured by the metric (scale at the right). */
export function ParallelCoordinates({ runs, axes, metric }: { runs: RunView[]; axes: string[]; metric: string }) {
  const fields = [...axes, `summary.${metric}`];
  const records = runs.map((run) => run as unknown as Record<string, unknown>);
  const scales = fields.map((field) => axisOf(records.map((run) => fieldOf(run, field))));
  const metricAxis = scales[scales.length - 1] as Axis;
  const metricValues = records.map((run) => fieldOf(run, `summary.${metric}`)).filter((v): v is number => typeof v === "number");
  const step = fields.length > 1 ? (WIDTH - 2 * PAD.x - 40) / (fields.length - 1) : 0;
  const yOf = (t: number) => HEIGHT - PAD.bottom - t * (HEIGHT - PAD.top - PAD.bottom);
  return (
    <div class="parallel-box">
      <svg
        class="parallel"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        data-testid="parallel-coordinates"
        data-axes={fields.length}
        role="img"
        aria-label="parallel coordinates"
      >
        {runs.map((run, r) => {
          const record = records[r] as Record<string, unknown>;
          const points = fields
            .map((field, i) => {
              const t = (scales[i] as Axis).position(fieldOf(record, field));
              return t === undefined ? undefined : `${PAD.x + i * step},${yOf(t)}`;
            })
            .filter(Boolean)
            .join(" ");
          const heat = metricAxis.position(fieldOf(record, `summary.${metric}`)) ?? 0;
          return (
            <polyline key={run.id} points={points} class="pc-line" stroke={heatColor(heat)}>
              <title>{run.name}</title>
            </polyline>
          );
        })}
        {fields.map((field, i) => (
          <g key={field} transform={`translate(${PAD.x + i * step},0)`} data-axis={field}>
            <line y1={PAD.top} y2={HEIGHT - PAD.bottom} class="pc-axis" />
            <text y={PAD.top - 12} text-anchor="middle" class="pc-label">
              {field.replace(/^(config|summary)\./, "")}
            </text>
            {(scales[i] as Axis).ticks.map((tick) => (
              <g key={tick.label} class="pc-tick">
                <line x1={-4} x2={0} y1={yOf(tick.at)} y2={yOf(tick.at)} class="pc-axis" />
                <text x={-6} y={yOf(tick.at) + 3} text-anchor="end">
                  {tick.label}
                </text>
              </g>
            ))}
          </g>
        ))}
        {metricValues.length > 0 && (
          <g transform={`translate(${WIDTH - 30},0)`} data-testid="pc-colour-scale">
            {Array.from({ length: 20 }, (_, k) => (
              <rect
                key={k}
                x={0}
                width={10}
                y={yOf((k + 1) / 20)}
                height={(HEIGHT - PAD.top - PAD.bottom) / 20 + 0.5}
                fill={heatColor((k + 0.5) / 20)}
              />
            ))}
            <text x={12} y={PAD.top + 4} class="pc-scale-label">
              {formatNumber(Math.max(...metricValues))}
            </text>
            <text x={12} y={HEIGHT - PAD.bottom} class="pc-scale-label">
              {formatNumber(Math.min(...metricValues))}
            </text>
          </g>
        )}
      </svg>
    </div>
  );
}
