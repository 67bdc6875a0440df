import { useEffect, useMemo, useState } from "preact/hooks";
import { formatDuration, formatTime } from "../../lib/format.ts";
import { isScalarSummary } from "../../lib/step-metric.ts";
import { canWrite, followRun, getJson, type HistoryRow, type RunView, runPath, type Session } from "../api.ts";
import { ArtifactsPanel } from "../components/artifacts-panel.tsx";
import { ChartControls, type ChartSettings, DEFAULT_SETTINGS } from "../components/chart-controls.tsx";
import { ConsoleTail } from "../components/console-tail.tsx";
import { FilesList } from "../components/files-list.tsx";
import { HistogramHeatmap } from "../components/histogram-heatmap.tsx";
import { KeyValueTable } from "../components/kv-table.tsx";
import { isMedia, MediaPanel } from "../components/media-panel.tsx";
import { MetricSections } from "../components/metric-chart.tsx";
import { NotesEditor, TagsEditor } from "../components/run-meta-editor.tsx";
import { StateBadge } from "../components/state-badge.tsx";
import { TracesPanel } from "../components/traces-panel.tsx";
import { href, type Route } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";

const TABS = ["overview", "charts", "system", "media", "traces", "logs", "files", "artifacts"] as const;
const BUILTIN_KEYS = new Set(["_step", "_runtime", "_timestamp"]);
const MAX_LIVE_ROWS = 20_000;

interface Alert {
  title: string;
  text: string;
  level: string;
  createdAt: number;
}

function isHistogram(value: unknown): boolean {
  return value !== null && typeof value === "object" && (value as { _type?: unknown })._type === "histogram";
}

export function RunPage({ entity, project, id, route }: { entity: string; project: string; id: string; route: Route }) {
  const path = runPath({ entity, project, id });
  const loaded = useAsync(async () => {
    const [run, keys] = await Promise.all([getJson<RunView>(path), getJson<{ history: string[]; system: string[] }>(`${path}/keys`)]);
    return { run, keys };
  }, [path]);
  const [live, setLive] = useState<{ rows: HistoryRow[]; state?: Pick<RunView, "state" | "summary"> }>({ rows: [] });
  const [settings, setSettings] = useState<ChartSettings>(DEFAULT_SETTINGS);
  // Tags and notes as last saved from this page (the server's answer), over the loaded run.
  const [edited, setEdited] = useState<Pick<RunView, "tags" | "notes"> | undefined>();
  // A server without the session route (older) or a read-only key: no edit controls.
  const session = useAsync(() => getJson<Session>("/session").catch(() => undefined), []);
  const editable = canWrite(session.data, entity);
  useEffect(() => setEdited(undefined), [path]);
  const tab = (route.params.get("tab") ?? "charts") as (typeof TABS)[number];
  // The traces tab only for runs that recorded traces (LangChain); `[]` is cheap to ask for.
  const traces = useAsync(() => getJson<unknown[]>(`${path}/traces`), [path]);
  const tabs = TABS.filter((name) => name !== "traces" || (traces.data?.length ?? 0) > 0 || tab === "traces");

  const base = loaded.data?.run;
  useEffect(() => {
    if (base?.state !== "running") return;
    return followRun(base, base.lastStep, {
      rows: (rows) => setLive((previous) => ({ ...previous, rows: [...previous.rows, ...rows].slice(-MAX_LIVE_ROWS) })),
      state: (update) => setLive((previous) => ({ ...previous, state: update })),
    });
  }, [base?.id]);

  const run = useMemo(
    () => (base === undefined ? undefined : { ...base, ...(live.state ?? {}), ...(edited ?? {}) }),
    [base, live.state, edited],
  );
  const chartKeys = useMemo(() => {
    if (!loaded.data || !run) return [];
    const hidden = new Set(run.metrics.filter((metric) => metric.hidden).map((metric) => metric.name));
    const known = new Set(loaded.data.keys.history);
    for (const row of live.rows) for (const [key, value] of Object.entries(row)) if (typeof value === "number") known.add(key);
    // A key whose latest value is a histogram or media is shown on the media tab, not as a line.
    // A defineMetric summary ({ max: … }) is still a line.
    const scalar = (key: string) => isScalarSummary(run.summary[key]);
    return [...known].filter((key) => !BUILTIN_KEYS.has(key) && !hidden.has(key) && scalar(key)).sort();
  }, [loaded.data, live.rows.length > 0 && Object.keys(live.rows[live.rows.length - 1] ?? {}).join()]);

  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!run || !loaded.data) return <p class="muted">Loading run…</p>;
  const stepMetrics = [...new Set(run.metrics.map((metric) => metric.stepMetric).filter((m): m is string => m !== undefined))];
  const mediaKeys = Object.keys(run.summary).filter((key) => isMedia(run.summary[key]));
  const histogramKeys = Object.keys(run.summary).filter((key) => isHistogram(run.summary[key]));

  return (
    <section>
      <h1 data-testid="run-name">{run.name}</h1>
      <p class="subtitle">
        <StateBadge run={run} /> · {run.id} · created {formatTime(run.createdAt)} · runtime {formatDuration(run.runtime)} · step{" "}
        {run.lastStep}
        {run.sweepId !== undefined && (
          <>
            {" "}
            · sweep{" "}
            <a href={href(["s", entity, project, run.sweepId])} data-testid="run-sweep">
              {run.sweepId}
            </a>
          </>
        )}
        {run.tags.map((tag) => (
          <span class="tag" key={tag}>
            {tag}
          </span>
        ))}
      </p>
      <nav class="tabs">
        {tabs.map((name) => (
          <a key={name} class={name === tab ? "active" : ""} href={href(["r", entity, project, id], { tab: name })}>
            {name}
          </a>
        ))}
      </nav>
      {tab === "overview" && <Overview run={run} editable={editable} pending={session.loading} onSaved={setEdited} />}
      {tab === "charts" && (
        <>
          <ChartControls settings={settings} xAxes={["", "_step", "_runtime", "_timestamp", ...stepMetrics]} onChange={setSettings} />
          <MetricSections run={run} keys={chartKeys} settings={settings} liveRows={live.rows} />
        </>
      )}
      {tab === "system" && (
        <MetricSections run={run} keys={loaded.data.keys.system} settings={{ ...settings, xAxis: "_runtime" }} liveRows={[]} />
      )}
      {tab === "media" && (
        <div class="panels">
          {mediaKeys.length + histogramKeys.length === 0 && <p class="muted">No media or histograms logged.</p>}
          {histogramKeys.map((key) => (
            <HistogramHeatmap key={key} run={run} histogramKey={key} />
          ))}
          {mediaKeys.map((key) => (
            <MediaPanel key={key} run={run} mediaKey={key} />
          ))}
        </div>
      )}
      {tab === "traces" && <TracesPanel run={run} />}
      {tab === "logs" && <ConsoleTail run={run} />}
      {tab === "files" && <FilesList run={run} />}
      {tab === "artifacts" && <ArtifactsPanel run={run} />}
    </section>
  );
}

function Overview({
  run,
  editable,
  pending,
  onSaved,
}: {
  run: RunView;
  editable: boolean;
  pending: boolean;
  onSaved: (saved: Pick<RunView, "tags" | "notes">) => void;
}) {
  const alerts = useAsync(() => getJson<Alert[]>(`${runPath(run)}/alerts`), [run.id]);
  return (
    <div class="overview">
      <table class="grid kv">
        <tbody>
          <tr>
            <th>state</th>
            <td>
              <StateBadge run={run} />
              {run.exitCode !== undefined && ` (exit code ${run.exitCode})`}
            </td>
          </tr>
          <tr>
            <th>group</th>
            <td>{run.group ?? ""}</td>
          </tr>
          <tr>
            <th>job type</th>
            <td>{run.jobType ?? ""}</td>
          </tr>
          <tr>
            <th>finished</th>
            <td>{run.finishedAt === undefined ? "" : formatTime(run.finishedAt)}</td>
          </tr>
          <tr>
            <th>forked from</th>
            <td>{run.forkedFrom ?? ""}</td>
          </tr>
        </tbody>
      </table>
      <h2>Tags</h2>
      <TagsEditor run={run} editable={editable} pending={pending} onSaved={onSaved} />
      <h2>Notes</h2>
      <NotesEditor run={run} editable={editable} onSaved={onSaved} />
      <h2>Config</h2>
      <KeyValueTable value={run.config} testId="config" />
      <h2>Summary</h2>
      <KeyValueTable value={run.summary} testId="summary" />
      <h2>Alerts</h2>
      {alerts.error && <ErrorBox error={alerts.error} />}
      {alerts.data?.length === 0 && <p class="muted">none</p>}
      <ul class="alerts">
        {alerts.data?.map((alert) => (
          <li key={`${alert.createdAt}:${alert.title}`} class={`alert alert-${alert.level.toLowerCase()}`}>
            <strong>{alert.title}</strong> {alert.text} <span class="muted">{formatTime(alert.createdAt)}</span>
          </li>
        ))}
      </ul>
      <h2>Metadata</h2>
      <KeyValueTable value={run.metadata} testId="metadata" />
    </div>
  );
}
