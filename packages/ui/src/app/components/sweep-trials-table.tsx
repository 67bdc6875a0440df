import { fieldOf } from "../../lib/fields.ts";
import { formatNumber, formatValue } from "../../lib/format.ts";
import type { TrialView } from "../../lib/sweeps.ts";
import type { RunView } from "../api.ts";
import { href } from "../route.ts";

export interface SweepRow {
  readonly trial: TrialView;
  /** The trial's run once the store has it (a trial handed out but not started has none yet). */
  readonly run: RunView | undefined;
  /** The sweep metric: the run's summary value, else the last value the sweep saw logged. */
  readonly metric: number | undefined;
}

/** One row per trial: its run, state (early-stopped runs marked), each swept parameter, and the metric. */
export function SweepTrialsTable({
  entity,
  project,
  rows,
  params,
  metric,
  bestRunId,
}: {
  entity: string;
  project: string;
  rows: readonly SweepRow[];
  params: readonly string[];
  metric: string | undefined;
  bestRunId: string | undefined;
}) {
  if (rows.length === 0) return <p class="muted">No trials yet: start an agent with `runlog agent &lt;sweep id&gt;`.</p>;
  return (
    <div class="wide-scroll">
      <table class="grid runs sweep-trials" data-testid="sweep-trials">
        <thead>
          <tr>
            <th data-field="name">run</th>
            <th data-field="state">state</th>
            {params.map((param) => (
              <th key={param} data-field={`config.${param}`}>
                {param}
              </th>
            ))}
            {metric !== undefined && <th data-field={`summary.${metric}`}>{metric}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ trial, run, metric: value }) => {
            const best = trial.runId === bestRunId;
            const stopped = trial.state === "stopped";
            return (
              <tr key={trial.runId} data-run-id={trial.runId} data-trial-state={trial.state} class={best ? "best-run" : undefined}>
                <td>
                  {run ? <a href={href(["r", entity, project, run.id])}>{run.name}</a> : <span class="muted">{trial.runId}</span>}
                  {best && (
                    <span class="tag best-mark" title="the best run so far for the sweep's metric">
                      best
                    </span>
                  )}
                </td>
                <td>
                  <span class={`state state-${stopped ? "killed" : trial.state}`}>{trial.state}</span>
                  {stopped && (
                    <span
                      class="tag stopped-mark"
                      data-testid="early-stopped"
                      title="stopped by the sweep's early termination (or a cancel)"
                    >
                      early-stopped
                    </span>
                  )}
                  {!stopped && trial.stopRequested && (trial.state === "running" || trial.state === "pending") && (
                    <span class="tag stopped-mark" title="early termination asked its agent to stop it">
                      stopping
                    </span>
                  )}
                </td>
                {params.map((param) => (
                  <td key={param} class="num">
                    {formatValue(run ? fieldOf(run as unknown as Record<string, unknown>, `config.${param}`) : paramOf(trial, param))}
                  </td>
                ))}
                {metric !== undefined && <td class="num">{value === undefined ? "" : formatNumber(value)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A trial's parameter by its dotted name (the trial's params are nested like the config). */
function paramOf(trial: TrialView, param: string): unknown {
  return fieldOf({ config: trial.params }, `config.${param}`);
}
