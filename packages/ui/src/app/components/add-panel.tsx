import { useState } from "preact/hooks";
import type { SummaryPanelSpec } from "./summary-panels.tsx";

const KINDS = [
  ["bar", "bar: a summary value per run"],
  ["scatter", "scatter: one field against another"],
  ["parallel", "parallel coordinates"],
  ["importance", "parameter importance"],
] as const;

/** Adds a panel over the runs' summaries and configs: its kind, then the fields it needs. */
export function AddPanel({
  summaryKeys,
  configKeys,
  onAdd,
}: {
  summaryKeys: readonly string[];
  configKeys: readonly string[];
  onAdd(spec: SummaryPanelSpec): void;
}) {
  const [kind, setKind] = useState<SummaryPanelSpec["kind"]>("bar");
  const [metric, setMetric] = useState("");
  const [x, setX] = useState("");
  const chosenMetric = metric || summaryKeys[0] || "";
  const chosenX = x || configKeys[0] || summaryKeys[0] || "";
  const fieldSelect = (label: string, current: string, keys: readonly string[], set: (value: string) => void) => (
    <select aria-label={label} value={current} onChange={(e) => set(e.currentTarget.value)}>
      {keys.map((key) => (
        <option key={key} value={key}>
          {key}
        </option>
      ))}
    </select>
  );
  return (
    <div class="toolbar add-panel" data-testid="add-panel">
      <select aria-label="panel kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as SummaryPanelSpec["kind"])}>
        {KINDS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      {kind === "scatter" && fieldSelect("panel x", chosenX, [...configKeys, ...summaryKeys], setX)}
      {fieldSelect(kind === "scatter" ? "panel y" : "panel metric", chosenMetric, summaryKeys, setMetric)}
      <button
        type="button"
        disabled={chosenMetric === ""}
        onClick={() => onAdd(kind === "scatter" ? { kind, x: chosenX, y: chosenMetric } : { kind, metric: chosenMetric })}
      >
        add panel
      </button>
    </div>
  );
}
