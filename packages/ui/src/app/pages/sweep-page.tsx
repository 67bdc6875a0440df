import { useEffect, useState } from "preact/hooks";
import { formatTime, formatValue } from "../../lib/format.ts";
import {
  bestOf,
  flatParameters,
  metricNumber,
  type SweepState,
  type SweepView,
  sweepActions,
  sweptParameters,
  type TrialView,
} from "../../lib/sweeps.ts";
import { getJson, putJson, query, type RunsPage, type RunView } from "../api.ts";
import { KeyValueTable } from "../components/kv-table.tsx";
import { ParallelCoordinates } from "../components/parallel-coordinates.tsx";
import { ImportancePanel } from "../components/summary-panels.tsx";
import { SweepStateBadge } from "../components/sweep-state-badge.tsx";
import { type SweepRow, SweepTrialsTable } from "../components/sweep-trials-table.tsx";
import { href } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";

const enc = encodeURIComponent;
/** The runs endpoint's largest page; a sweep with more trials lists its first 1000 runs' details. */
const MAX_RUNS = 1000;
/** How often the page of a sweep that agents may still work on reads it again. */
const REFRESH_MS = 5000;

/**
 * One sweep: its state and controls, config, a row per trial with the swept parameters and the
 * metric, the best run so far, early-stopped trials marked, parallel coordinates and parameter
 * importance over its runs.
 */
export function SweepPage({ entity, project, id }: { entity: string; project: string; id: string }) {
  const path = `/projects/${enc(entity)}/${enc(project)}/sweeps/${enc(id)}`;
  const [version, setVersion] = useState(0);
  const [actionError, setActionError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const loaded = useAsync(async () => {
    const filters = JSON.stringify({ sweepId: id });
    const [detail, runs] = await Promise.all([
      getJson<{ sweep: SweepView; trials: TrialView[] }>(path),
      getJson<RunsPage>(`/projects/${enc(entity)}/${enc(project)}/runs${query({ filters, limit: MAX_RUNS })}`),
    ]);
    return { ...detail, runs: runs.runs };
  }, [path, version]);

  const live = loaded.data?.sweep.state === "running" || loaded.data?.sweep.state === "paused";
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => setVersion((v) => v + 1), REFRESH_MS);
    return () => clearInterval(timer);
  }, [live]);

  if (loaded.error && !loaded.data) return <ErrorBox error={loaded.error} />;
  if (!loaded.data) return <p class="muted">Loading sweep…</p>;
  const { sweep, trials, runs } = loaded.data;
  const metric = sweep.config.metric?.name;
  const goal = sweep.config.metric?.goal ?? "minimize";
  const params = sweptParameters(sweep.config.parameters ?? {});
  const runsById = new Map(runs.map((run) => [run.id, run]));
  const rows: SweepRow[] = trials.map((trial) => {
    const run = runsById.get(trial.runId);
    const summary = metric === undefined ? undefined : metricNumber(run?.summary[metric]);
    return { trial, run, metric: metric === undefined ? undefined : (summary ?? trial.metricHistory.at(-1)) };
  });
  const best = bestOf(rows, (row) => row.metric, goal);
  const withRuns = rows.map((row) => row.run).filter((run): run is RunView => run !== undefined);

  const act = async (state: SweepState) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await putJson(`${path}/state`, { state });
      setVersion((v) => v + 1);
    } catch (error) {
      setActionError(error as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section data-testid="sweep-page" data-sweep-id={sweep.id}>
      <p class="subtitle">
        <a href={href(["s", entity, project])}>sweeps</a> / {sweep.id}
      </p>
      <h1>{sweep.config.name ?? `sweep ${sweep.id}`}</h1>
      <p class="subtitle">
        <SweepStateBadge state={sweep.state} /> · {sweep.config.method} · {trials.length} trials · created {formatTime(sweep.createdAt)}
      </p>
      {sweep.config.description && <p data-testid="sweep-description">{sweep.config.description}</p>}
      <div class="toolbar" data-testid="sweep-controls">
        {sweepActions(sweep.state).map((action) => (
          <button type="button" key={action.state} disabled={busy} onClick={() => act(action.state)}>
            {action.label}
          </button>
        ))}
        <button type="button" class="link" disabled={busy} onClick={() => setVersion((v) => v + 1)}>
          refresh
        </button>
      </div>
      {actionError && <ErrorBox error={actionError} />}
      {metric !== undefined && (
        <p data-testid="best-run" data-run-id={best?.trial.runId}>
          Best run so far ({goal} {metric}):{" "}
          {best ? (
            <>
              <a href={href(["r", entity, project, best.trial.runId])}>{best.run?.name ?? best.trial.runId}</a> · {formatValue(best.metric)}
            </>
          ) : (
            <span class="muted">none has logged {metric} yet</span>
          )}
        </p>
      )}
      <h2>Trials</h2>
      <SweepTrialsTable entity={entity} project={project} rows={rows} params={params} metric={metric} bestRunId={best?.trial.runId} />
      {metric !== undefined && withRuns.length > 0 && params.length > 0 && (
        <>
          <h2>Parameters → {metric}</h2>
          <ParallelCoordinates runs={withRuns} axes={params.map((param) => `config.${param}`)} metric={metric} />
          <h2>Parameter importance for {metric}</h2>
          <ImportancePanel runs={withRuns} metric={`summary.${metric}`} params={params} />
        </>
      )}
      <h2>Config</h2>
      <SweepConfigTables sweep={sweep} />
    </section>
  );
}

/** The sweep config as W&B shows it: the top level, then one row per (flattened) parameter with its spec. */
function SweepConfigTables({ sweep }: { sweep: SweepView }) {
  const { parameters, ...rest } = sweep.config;
  return (
    <div class="sweep-config">
      <KeyValueTable value={rest} testId="sweep-config" />
      <table class="grid kv" data-testid="sweep-parameters">
        <thead>
          <tr>
            <th>parameter</th>
            <th>spec</th>
          </tr>
        </thead>
        <tbody>
          {flatParameters(parameters ?? {}).map(([name, spec]) => (
            <tr key={name} data-param={name}>
              <th>{name}</th>
              <td>{JSON.stringify(spec)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
