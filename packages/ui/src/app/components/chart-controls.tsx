import type { Smoothing } from "../../lib/smoothing.ts";

export interface ChartSettings {
  readonly xAxis: string;
  readonly smoothing: Smoothing;
  readonly logScale: boolean;
}

/** `xAxis: ""` draws each key against its defineMetric step metric (else `_step`). */
export const DEFAULT_SETTINGS: ChartSettings = { xAxis: "", smoothing: { kind: "none" }, logScale: false };

const X_LABELS: Record<string, string> = {
  "": "default (step metric)",
  _step: "step",
  _runtime: "relative time (s)",
  _timestamp: "wall time",
};
export const xLabel = (xAxis: string) => X_LABELS[xAxis] ?? xAxis;

/** x-axis, smoothing and log-scale controls shared by every chart on a page. */
export function ChartControls({
  settings,
  xAxes,
  onChange,
}: {
  settings: ChartSettings;
  xAxes: string[];
  onChange(settings: ChartSettings): void;
}) {
  const { smoothing } = settings;
  const amount =
    smoothing.kind === "ema"
      ? smoothing.weight
      : smoothing.kind === "gaussian"
        ? smoothing.sigma
        : smoothing.kind === "average"
          ? smoothing.window
          : 0;
  const setKind = (kind: string) => {
    const next: Smoothing =
      kind === "ema"
        ? { kind, weight: 0.6 }
        : kind === "gaussian"
          ? { kind, sigma: 2 }
          : kind === "average"
            ? { kind, window: 9 }
            : { kind: "none" };
    onChange({ ...settings, smoothing: next });
  };
  const setAmount = (value: number) => {
    const next: Smoothing =
      smoothing.kind === "ema"
        ? { kind: "ema", weight: value }
        : smoothing.kind === "gaussian"
          ? { kind: "gaussian", sigma: value }
          : smoothing.kind === "average"
            ? { kind: "average", window: value }
            : smoothing;
    onChange({ ...settings, smoothing: next });
  };
  return (
    <div class="toolbar chart-controls">
      <label>
        x-axis{" "}
        <select aria-label="x-axis" value={settings.xAxis} onChange={(e) => onChange({ ...settings, xAxis: e.currentTarget.value })}>
          {xAxes.map((axis) => (
            <option key={axis} value={axis}>
              {xLabel(axis)}
            </option>
          ))}
        </select>
      </label>
      <label>
        smoothing{" "}
        <select aria-label="smoothing" value={smoothing.kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="none">none</option>
          <option value="ema">time-weighted EMA</option>
          <option value="gaussian">gaussian (σ % of range)</option>
          <option value="average">running average (points)</option>
        </select>
      </label>
      {smoothing.kind !== "none" && (
        <input
          type="range"
          aria-label="smoothing amount"
          min={smoothing.kind === "ema" ? 0 : 1}
          max={smoothing.kind === "ema" ? 0.99 : smoothing.kind === "gaussian" ? 20 : 201}
          step={smoothing.kind === "ema" ? 0.01 : smoothing.kind === "gaussian" ? 0.5 : 2}
          value={amount}
          onInput={(e) => setAmount(Number(e.currentTarget.value))}
        />
      )}
      {smoothing.kind !== "none" && <span class="muted">{amount}</span>}
      <label>
        <input type="checkbox" checked={settings.logScale} onChange={(e) => onChange({ ...settings, logScale: e.currentTarget.checked })} />{" "}
        log scale
      </label>
    </div>
  );
}
