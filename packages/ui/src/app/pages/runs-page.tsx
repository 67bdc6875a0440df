import { useEffect, useMemo, useState } from "preact/hooks";
import { fieldOf } from "../../lib/fields.ts";
import { formatDuration, formatTime, formatValue } from "../../lib/format.ts";
import { buildFilters } from "../../lib/run-filters.ts";
import { getJson, type RunsPage as Page, query, type RunView } from "../api.ts";
import { ColumnPicker } from "../components/column-picker.tsx";
import { StateBadge } from "../components/state-badge.tsx";
import { href, type Route, updateParams } from "../route.ts";
import { ErrorBox, useAsync } from "../use-async.tsx";
import { ProjectTabs } from "./project-tabs.tsx";

const PAGE_SIZE = 100;
const STATES = ["running", "finished", "failed", "crashed", "killed"];
const FIXED_COLUMNS: { field: string; label: string; cell(run: RunView): preact.ComponentChild }[] = [
  {
    field: "name",
    label: "name",
    cell: (run) => (
      <a class="clip" title={run.name} href={href(["r", run.entity, run.project, run.id])}>
        {run.name}
      </a>
    ),
  },
  { field: "state", label: "state", cell: (run) => <StateBadge run={run} /> },
  {
    field: "tags",
    label: "tags",
    cell: (run) =>
      run.tags.map((tag) => (
        <span class="tag clip" title={tag} key={tag}>
          {tag}
        </span>
      )),
  },
  { field: "group", label: "group", cell: (run) => run.group ?? "" },
  { field: "createdAt", label: "created", cell: (run) => formatTime(run.createdAt) },
  { field: "runtime", label: "runtime", cell: (run) => formatDuration(run.runtime) },
];

/** The runs table: server-side filter, search, sort, grouping and paging; pick columns; select runs to compare. */
export function RunsPage({ entity, project, route }: { entity: string; project: string; route: Route }) {
  const p = route.params;
  const order = p.get("order") ?? "-createdAt";
  const offset = Number(p.get("offset") ?? 0);
  const groupBy = p.get("groupBy") ?? "";
  const [search, setSearch] = useState(p.get("search") ?? "");
  const [expression, setExpression] = useState(p.get("filter") ?? "");
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { filters, error: filterError } = buildFilters(p.get("state") ?? "", p.get("filter") ?? "");

  // Typing updates the URL (and so the query) after a short pause.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (search !== (p.get("search") ?? "") || expression !== (p.get("filter") ?? "")) {
        updateParams({ search, filter: expression, offset: undefined });
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [search, expression]);

  const url = `/projects/${encodeURIComponent(entity)}/${encodeURIComponent(project)}/runs${query({
    order,
    search: p.get("search") ?? "",
    filters,
    groupBy,
    offset,
    limit: PAGE_SIZE,
  })}`;
  const { data, error } = useAsync(() => (filterError ? Promise.reject(new Error(filterError)) : getJson<Page>(url)), [url, filterError]);
  const columns = useMemo(() => {
    const chosen = p.get("cols");
    if (chosen !== null) return chosen.split(",").filter(Boolean);
    if (!data) return [];
    const numeric = (key: string) => data.runs.some((run) => typeof fieldOf(run as unknown as Record<string, unknown>, key) === "number");
    return [...data.summaryKeys.filter(numeric).slice(0, 4), ...data.configKeys.slice(0, 3)];
  }, [p.get("cols"), data?.summaryKeys.join(), data?.configKeys.join()]);

  const sortBy = (field: string) => updateParams({ order: order === `-${field}` ? `+${field}` : `-${field}`, offset: undefined });
  const arrow = (field: string) => (order.replace(/^[-+]/, "") === field ? (order.startsWith("-") ? " ▼" : " ▲") : "");
  const toggle = (id: string) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const rows: preact.ComponentChild[] = [];
  let lastGroup: string | undefined;
  for (const run of data?.runs ?? []) {
    if (groupBy) {
      const raw = fieldOf(run as unknown as Record<string, unknown>, groupBy);
      const value = raw === undefined || raw === null ? "" : typeof raw === "object" ? JSON.stringify(raw) : String(raw);
      if (value !== lastGroup) {
        lastGroup = value;
        const count = data?.groups?.find((group) => group.value === value)?.count ?? 0;
        rows.push(
          <tr class="group-row" key={`group:${value}`}>
            <td colSpan={FIXED_COLUMNS.length + columns.length + 1}>
              {groupBy} = {value || "(none)"} · {count} runs
            </td>
          </tr>,
        );
      }
    }
    rows.push(
      <tr key={run.id} data-run-id={run.id}>
        <td>
          <input type="checkbox" aria-label={`select ${run.name}`} checked={selected.has(run.id)} onChange={() => toggle(run.id)} />
        </td>
        {FIXED_COLUMNS.map((column) => (
          <td key={column.field}>{column.cell(run)}</td>
        ))}
        {columns.map((column) => (
          <td key={column} class="num">
            {formatValue(fieldOf(run as unknown as Record<string, unknown>, column))}
          </td>
        ))}
      </tr>,
    );
  }

  return (
    <section>
      <ProjectTabs entity={entity} project={project} active="runs" />
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search name, id, group, tag"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
          aria-label="search"
        />
        <input
          class="wide"
          placeholder="Filter: config.lr > 0.01 and summary.acc >= 0.9"
          value={expression}
          onInput={(e) => setExpression(e.currentTarget.value)}
          aria-label="filter"
        />
        <select
          aria-label="state"
          value={p.get("state") ?? ""}
          onChange={(e) => updateParams({ state: e.currentTarget.value, offset: undefined })}
        >
          <option value="">any state</option>
          {STATES.map((state) => (
            <option key={state}>{state}</option>
          ))}
        </select>
        <select aria-label="group by" value={groupBy} onChange={(e) => updateParams({ groupBy: e.currentTarget.value, offset: undefined })}>
          <option value="">no grouping</option>
          <option value="group">group</option>
          <option value="jobType">job type</option>
          {data?.configKeys.map((key) => (
            <option key={key}>{key}</option>
          ))}
        </select>
        {data && (
          <ColumnPicker
            keys={[...data.summaryKeys, ...data.configKeys]}
            chosen={columns}
            onChange={(cols) => updateParams({ cols: cols.join(",") })}
          />
        )}
        <a
          class={`button${selected.size < 1 ? " disabled" : ""}`}
          href={selected.size < 1 ? undefined : href(["c", entity, project], { runs: [...selected].join(",") })}
        >
          Compare {selected.size} selected
        </a>
      </div>
      {error && <ErrorBox error={error} />}
      <div class="wide-scroll">
        <table class="grid runs" data-testid="runs-table" data-total={data?.total}>
          <thead>
            <tr>
              <th />
              {FIXED_COLUMNS.map((column) => (
                <th key={column.field} onClick={() => sortBy(column.field)} data-field={column.field}>
                  {column.label}
                  {arrow(column.field)}
                </th>
              ))}
              {columns.map((column) => (
                <th key={column} onClick={() => sortBy(column)} data-field={column}>
                  {column}
                  {arrow(column)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{rows}</tbody>
        </table>
      </div>
      {data && (
        <div class="pager">
          {data.total === 0 ? "No runs match." : `${offset + 1}–${Math.min(offset + PAGE_SIZE, data.total)} of ${data.total}`}
          <button type="button" disabled={offset === 0} onClick={() => updateParams({ offset: String(Math.max(0, offset - PAGE_SIZE)) })}>
            previous
          </button>
          <button
            type="button"
            disabled={offset + PAGE_SIZE >= data.total}
            onClick={() => updateParams({ offset: String(offset + PAGE_SIZE) })}
          >
            next
          </button>
        </div>
      )}
    </section>
  );
}
