import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { fieldOf } from "../../lib/fields.ts";
import { formatTime } from "../../lib/format.ts";
import { buildFilters } from "../../lib/run-filters.ts";
import { SeriesCache } from "../../lib/series-cache.ts";
import type { Smoothing } from "../../lib/smoothing.ts";
import { defaultXAxis, isHiddenKey, isScalarSummary } from "../../lib/step-metric.ts";
import { getJson, putJson, query, type RunsPage } from "../api.ts";
import { AddPanel } from "../components/add-panel.tsx";
import { ChartControls, type ChartSettings } from "../components/chart-controls.tsx";
import { HistogramRunsPanel, isHistogram } from "../components/histogram-runs-panel.tsx";
import { PALETTE } from "../components/line-chart.tsx";
import { isGridMedia, MediaGridPanel } from "../components/media-grid-panel.tsx";
import { OverlayPanel, type PanelRun } from "../components/overlay-panel.tsx";
import { RunsSidebar, SHOW_FIRST } from "../components/runs-sidebar.tsx";
import { SummaryPanel, type SummaryPanelSpec } from "../components/summary-panels.tsx";
import { type Route, updateParams } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { useLiveRows } from "../use-live-rows.ts";
import { ProjectTabs } from "./project-tabs.tsx";

const MAX_RUNS = 200;
const BUILTIN = new Set(["_step", "_runtime", "_timestamp"]);
/** The added panels as the URL keeps them (JSON); anything unreadable is dropped, not fatal. */
function parsePanels(text: string | null): SummaryPanelSpec[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed)
      ? parsed.filter(
          (spec): spec is SummaryPanelSpec =>
            spec !== null &&
            typeof spec === "object" &&
            (["bar", "parallel", "importance"].includes(spec.kind)
              ? typeof spec.metric === "string"
              : spec.kind === "scatter" && typeof spec.x === "string" && typeof spec.y === "string"),
        )
      : [];
  } catch {
    return [];
  }
}

/** A panel of a section: a line overlay, the runs' media side by side, or histograms over time. */
type PanelKind = "line" | "media" | "histogram";
interface SectionPanel {
  readonly key: string;
  readonly kind: PanelKind;
}

const list = (value: string | null) => new Set((value ?? "").split(",").filter(Boolean));

/** `ema:0.6`, `gaussian:2`, `average:9` or nothing, as the URL keeps it. */
function parseSmoothing(text: string | null): Smoothing {
  const [kind, amount] = (text ?? "").split(":");
  const value = Number(amount);
  if (kind === "ema" && value >= 0 && value < 1) return { kind, weight: value };
  if (kind === "gaussian" && value > 0) return { kind, sigma: value };
  if (kind === "average" && value >= 1) return { kind, window: value };
  return { kind: "none" };
}

function formatSmoothing(smoothing: Smoothing): string | undefined {
  if (smoothing.kind === "ema") return `ema:${smoothing.weight}`;
  if (smoothing.kind === "gaussian") return `gaussian:${smoothing.sigma}`;
  if (smoothing.kind === "average") return `average:${smoothing.window}`;
  return undefined;
}

/**
 * The project workspace, W&B's centre: a runs sidebar and, for every history key, a panel that
 * overlays the visible runs, in sections by `/` prefix. Everything a user chooses is in the URL, so
 * a workspace is shared by sending its link.
 */
export function WorkspacePage({ entity, project, route }: { entity: string; project: string; route: Route }) {
  const p = route.params;
  const base = `/projects/${encodeURIComponent(entity)}/${encodeURIComponent(project)}`;
  const [search, setSearch] = useState(p.get("search") ?? "");
  const [expression, setExpression] = useState(p.get("filter") ?? "");
  const [range, setRange] = useState<{ axis: string; range: [number, number] } | undefined>();
  const [saveState, setSaveState] = useState<{ saving?: boolean; savedAt?: number; error?: Error }>({});
  const cache = useRef(new SeriesCache()).current;
  const order = p.get("order") ?? "-createdAt";
  const groupBy = p.get("groupBy") ?? "";
  const showFirst = Number(p.get("n") ?? 10);
  const pinned = list(p.get("pin"));
  const { filters, error: filterError } = buildFilters(p.get("state") ?? "", p.get("filter") ?? "");

  useEffect(() => {
    const timer = setTimeout(() => {
      if (search !== (p.get("search") ?? "") || expression !== (p.get("filter") ?? ""))
        updateParams({ search, filter: expression, vis: undefined });
    }, 250);
    return () => clearTimeout(timer);
  }, [search, expression]);

  // A workspace opened without parameters takes the project's saved layout (the URL is the layout).
  useEffect(() => {
    if ([...p.keys()].length > 0) return;
    let current = true;
    getJson<{ layout: Record<string, string> | null; updatedAt?: number }>(`${base}/workspace`).then(
      (saved) => {
        if (current && saved.layout !== null && Object.keys(saved.layout).length > 0) {
          updateParams(saved.layout);
          setSaveState({ savedAt: saved.updatedAt });
        }
      },
      () => {}, // no saved layout readable: the defaults stand
    );
    return () => {
      current = false;
    };
  }, [base]);
  const save = () => {
    setSaveState({ saving: true });
    putJson<{ updatedAt: number }>(`${base}/workspace`, { layout: Object.fromEntries(p) }).then(
      (saved) => setSaveState({ savedAt: saved.updatedAt }),
      (error: Error) => setSaveState({ error }),
    );
  };

  const runsUrl = `${base}/runs${query({ order, search: p.get("search") ?? "", filters, limit: MAX_RUNS })}`;
  const runs = useAsync(() => (filterError ? Promise.reject(new Error(filterError)) : getJson<RunsPage>(runsUrl)), [runsUrl, filterError]);

  // Pinned runs first, then the query's order; colours follow that order so they stay put while toggling.
  const ordered = useMemo(() => {
    const all = runs.data?.runs ?? [];
    return [...all.filter((run) => pinned.has(run.id)), ...all.filter((run) => !pinned.has(run.id))];
  }, [runs.data, p.get("pin")]);
  const colors = useMemo(() => new Map(ordered.map((run, i) => [run.id, PALETTE[i % PALETTE.length] as string])), [ordered]);
  const visible = useMemo(() => {
    const explicit = p.get("vis");
    if (explicit !== null) return list(explicit);
    return new Set([
      ...ordered.filter((run) => pinned.has(run.id)).map((run) => run.id),
      ...ordered.slice(0, showFirst).map((run) => run.id),
    ]);
  }, [ordered, p.get("vis"), showFirst]);
  const shownRuns = ordered.filter((run) => visible.has(run.id));

  // Live runs among those shown: new rows arrive by cursor (after the last step seen), never by refetching history.
  const live = useLiveRows(base, shownRuns);

  // Each run's keys are asked for once: showing or hiding runs reuses them.
  const keyCache = useRef(new Map<string, { history: string[]; system: string[] }>()).current;
  const keys = useAsync(async () => {
    // One request for all the runs not asked yet: a request per run took the browser's six
    // connections while the first panels waited to ask for their series.
    const missing = shownRuns.filter((run) => !keyCache.has(run.id)).map((run) => run.id);
    if (missing.length > 0) {
      const answer = await getJson<Record<string, { history: string[]; system: string[] }>>(
        `${base}/keys${query({ runs: missing.join(",") })}`,
      );
      for (const [id, k] of Object.entries(answer)) keyCache.set(id, k);
    }
    return shownRuns.map((run) => [run, keyCache.get(run.id) as { history: string[]; system: string[] }] as const);
  }, [shownRuns.map((run) => run.id).join()]);

  const { sections, stepMetrics } = useMemo(() => {
    const metrics = shownRuns.map((run) => run.metrics);
    const history = new Map<string, PanelKind>();
    const system = new Set<string>();
    // Until the runs' keys arrive, their summaries' keys stand in (a summary holds each history
    // key's last value): the first screen's panels ask for their series a round trip sooner.
    const provisional = shownRuns.map(
      (run) => [run, { history: Object.keys(run.summary).filter((key) => !key.startsWith("_")), system: [] }] as const,
    );
    for (const [run, k] of keys.data ?? provisional) {
      // A key whose latest value is media or a histogram gets a panel of that kind, not a line;
      // tables and custom charts stay on the run page.
      for (const key of k.history) {
        if (BUILTIN.has(key) || history.has(key)) continue;
        const value = run.summary[key];
        const kind = isScalarSummary(value) ? "line" : isHistogram(value) ? "histogram" : isGridMedia(value) ? "media" : undefined;
        if (kind) history.set(key, kind);
      }
      for (const key of k.system) system.add(key);
    }
    const byPrefix = new Map<string, SectionPanel[]>();
    for (const [key, kind] of [...history].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (isHiddenKey(metrics, key)) continue;
      const section = key.includes("/") ? (key.split("/")[0] as string) : kind === "line" ? "charts" : "media";
      byPrefix.set(section, [...(byPrefix.get(section) ?? []), { key, kind }]);
    }
    if (system.size > 0)
      byPrefix.set(
        "system",
        [...system].sort().map((key) => ({ key, kind: "line" })),
      );
    const steps = new Set<string>();
    for (const run of shownRuns) for (const metric of run.metrics) if (metric.stepMetric) steps.add(metric.stepMetric);
    return { sections: [...byPrefix], stepMetrics: [...steps].sort() };
  }, [keys.data, keys.data === undefined ? shownRuns.map((run) => run.id).join() : ""]);

  // The shown runs whose history has the key: the media and histogram panels ask only for them.
  const loggedBy = (key: string) => (keys.data ?? []).filter(([, k]) => k.history.includes(key)).map(([run]) => run);

  const panels = parsePanels(p.get("panels"));
  const setPanels = (next: SummaryPanelSpec[]) => updateParams({ panels: next.length === 0 ? undefined : JSON.stringify(next) });

  const settings: ChartSettings = { xAxis: p.get("x") ?? "", smoothing: parseSmoothing(p.get("smooth")), logScale: p.get("log") === "1" };
  const xAxes = ["_step", "_runtime", "_timestamp", ...stepMetrics];
  const axisOf = (key: string) => {
    if (key.startsWith("system/")) return "_runtime";
    return (
      p.get(`px.${key}`) ??
      (settings.xAxis ||
        defaultXAxis(
          shownRuns.map((run) => run.metrics),
          key,
        ))
    );
  };
  const panelRuns: PanelRun[] = shownRuns.map((run) => ({
    id: run.id,
    name: run.name,
    color: colors.get(run.id) as string,
    ...(groupBy ? { group: String(fieldOf(run as unknown as Record<string, unknown>, groupBy) ?? "") } : {}),
  }));

  const toggle = (id: string) => {
    const next = new Set(visible);
    if (!next.delete(id)) next.add(id);
    updateParams({ vis: [...next].join(",") });
  };
  const pin = (id: string) => {
    const next = new Set(pinned);
    if (!next.delete(id)) next.add(id);
    updateParams({ pin: [...next].join(",") || undefined });
  };

  const controls = (
    <div class="sidebar-controls">
      <input
        type="search"
        placeholder="Search runs"
        aria-label="search runs"
        value={search}
        onInput={(e) => setSearch(e.currentTarget.value)}
      />
      <input
        placeholder="Filter: config.lr > 0.01"
        aria-label="filter runs"
        value={expression}
        onInput={(e) => setExpression(e.currentTarget.value)}
      />
      <div class="sidebar-row">
        <select aria-label="sort runs" value={order} onChange={(e) => updateParams({ order: e.currentTarget.value, vis: undefined })}>
          <option value="-createdAt">newest first</option>
          <option value="+createdAt">oldest first</option>
          <option value="+name">name</option>
          {runs.data?.summaryKeys.map((key) => [
            <option key={`-${key}`} value={`-${key}`}>
              {key.replace(/^summary\./, "")} ▼
            </option>,
            <option key={`+${key}`} value={`+${key}`}>
              {key.replace(/^summary\./, "")} ▲
            </option>,
          ])}
        </select>
        <select aria-label="group runs" value={groupBy} onChange={(e) => updateParams({ groupBy: e.currentTarget.value || undefined })}>
          <option value="">no grouping</option>
          <option value="group">group</option>
          <option value="jobType">job type</option>
          {runs.data?.configKeys.map((key) => (
            <option key={key} value={key}>
              {key.replace(/^config\./, "")}
            </option>
          ))}
        </select>
        <select
          aria-label="show first"
          value={String(showFirst)}
          onChange={(e) => updateParams({ n: e.currentTarget.value, vis: undefined })}
        >
          {SHOW_FIRST.map((n) => (
            <option key={n} value={String(n)}>
              first {n}
            </option>
          ))}
        </select>
      </div>
    </div>
  );

  return (
    <section>
      <ProjectTabs entity={entity} project={project} active="workspace" />
      {(runs.error || filterError) && <ErrorBox error={runs.error ?? new Error(filterError)} />}
      <div class="workspace">
        <RunsSidebar
          runs={ordered}
          colors={colors}
          visible={visible}
          pinned={pinned}
          total={runs.data?.total ?? 0}
          controls={controls}
          onToggle={toggle}
          onPin={pin}
        />
        <div class="workspace-panels" data-testid="workspace">
          <ChartControls
            settings={{ ...settings, xAxis: settings.xAxis }}
            xAxes={["", ...xAxes]}
            onChange={(next) =>
              updateParams({ x: next.xAxis || undefined, smooth: formatSmoothing(next.smoothing), log: next.logScale ? "1" : undefined })
            }
          />
          <div class="toolbar">
            <button type="button" data-testid="save-layout" onClick={save} disabled={saveState.saving}>
              save layout for the project
            </button>
            <span class="muted" data-testid="layout-state">
              {saveState.error
                ? `not saved: ${saveState.error.message}`
                : saveState.savedAt
                  ? `layout saved ${formatTime(saveState.savedAt)}`
                  : "opening this project without a link shows the saved layout"}
            </span>
          </div>
          {range && (
            <p class="muted">
              zoomed to {range.axis} {range.range[0].toPrecision(4)}–{range.range[1].toPrecision(4)}{" "}
              <button type="button" onClick={() => setRange(undefined)}>
                reset zoom
              </button>
            </p>
          )}
          {runs.data && (
            <AddPanel
              summaryKeys={runs.data.summaryKeys}
              configKeys={runs.data.configKeys}
              onAdd={(spec) => setPanels([...panels, spec])}
            />
          )}
          {panels.length > 0 && (
            <details open class="section" data-section="panels">
              <summary>
                panels <span class="muted">({panels.length})</span>
              </summary>
              <div class="charts">
                {panels.map((spec, i) => (
                  <SummaryPanel
                    key={`${i}:${JSON.stringify(spec)}`}
                    spec={spec}
                    runs={shownRuns}
                    colors={colors}
                    onRemove={() => setPanels(panels.filter((_, j) => j !== i))}
                  />
                ))}
              </div>
            </details>
          )}
          {keys.error && <ErrorBox error={keys.error} />}
          {runs.data && shownRuns.length === 0 && <p class="muted">No runs shown: tick runs in the list.</p>}
          {sections.map(([section, sectionKeys]) => (
            <details open={section !== "system"} key={section} class="section" data-section={section}>
              <summary>
                {section} <span class="muted">({sectionKeys.length})</span>
              </summary>
              <div class="charts">
                {sectionKeys.map(({ key, kind }) => {
                  if (kind === "media") return <MediaGridPanel key={key} mediaKey={key} runs={loggedBy(key)} colors={colors} live={live} />;
                  if (kind === "histogram")
                    return <HistogramRunsPanel key={key} histogramKey={key} runs={loggedBy(key)} colors={colors} live={live} />;
                  const axis = axisOf(key);
                  return (
                    <OverlayPanel
                      key={key}
                      base={base}
                      metric={key}
                      runs={panelRuns}
                      xAxis={axis}
                      xAxes={key.startsWith("system/") ? ["_runtime"] : xAxes}
                      settings={settings}
                      range={range?.axis === axis ? range.range : undefined}
                      cache={cache}
                      live={live}
                      syncKey={`${entity}/${project}:${axis}`}
                      onXAxis={(chosen) => updateParams({ [`px.${key}`]: chosen ?? "_step" })}
                      onZoom={(chosen) => setRange(chosen ? { axis, range: chosen } : undefined)}
                    />
                  );
                })}
              </div>
            </details>
          ))}
        </div>
      </div>
    </section>
  );
}
