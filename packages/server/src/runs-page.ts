import { type Api, type RunFilter, RunlogError, type RunView, runField } from "@runlog/core";
import { intParam, type Query } from "./query.js";

const MAX_PAGE = 1000;
const MAX_COLUMNS = 500;

export interface RunsPage {
  /** Runs matching the filters and search, before paging. */
  readonly total: number;
  readonly offset: number;
  readonly runs: RunView[];
  /** Flattened `config.*` and `summary.*` keys present on the matching runs: the column picker's choices. */
  readonly configKeys: string[];
  readonly summaryKeys: string[];
  /** With `groupBy`: each group's value (as text, "" for none) and run count, in page order. */
  readonly groups?: { value: string; count: number }[];
}

/**
 * One page of the runs table, computed server-side so a project with 10,000 runs costs one small
 * response: `filters` (JSON, Mongo-style), `search` (substring of name, id, group or a tag),
 * `order` (`-summary.loss`), `groupBy` (a field; groups are contiguous), `offset`, `limit`.
 */
export async function runsPage(api: Api, path: string, query: Query): Promise<RunsPage> {
  const limit = intParam(query, "limit", 100) as number;
  const offset = intParam(query, "offset", 0) as number;
  if (limit < 1 || limit > MAX_PAGE) throw new RunlogError("INVALID_ARGUMENT", `limit must be from 1 to ${MAX_PAGE}, got ${limit}.`);
  if (offset < 0) throw new RunlogError("INVALID_ARGUMENT", `offset must be 0 or more, got ${offset}.`);
  const order = query.order ?? "-createdAt";
  const found = (await api.runs(path, { filters: parseFilters(query.filters), order })).map((run) => run.toJSON());
  const search = query.search?.trim().toLowerCase();
  let runs = search ? found.filter((run) => matchesSearch(run, search)) : found;
  let groups: { value: string; count: number }[] | undefined;
  const groupBy = query.groupBy;
  if (groupBy) {
    const byGroup = new Map<string, RunView[]>();
    for (const run of runs) {
      const value = groupValue(run, groupBy);
      const members = byGroup.get(value);
      if (members === undefined) byGroup.set(value, [run]);
      else members.push(run);
    }
    groups = [...byGroup].map(([value, members]) => ({ value, count: members.length }));
    runs = [...byGroup.values()].flat();
  }
  return {
    total: runs.length,
    offset,
    runs: runs.slice(offset, offset + limit),
    configKeys: columnKeys(runs, "config"),
    summaryKeys: columnKeys(runs, "summary").filter((key) => !key.startsWith("summary._")),
    ...(groups === undefined ? {} : { groups }),
  };
}

function parseFilters(raw: string | undefined): RunFilter | undefined {
  if (raw === undefined || raw === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new RunlogError("INVALID_ARGUMENT", 'filters must be a JSON object such as {"state":"finished"}.');
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new RunlogError("INVALID_ARGUMENT", 'filters must be a JSON object such as {"state":"finished"}.');
  }
  return parsed as RunFilter;
}

function matchesSearch(run: RunView, needle: string): boolean {
  return [run.name, run.id, run.group ?? "", ...run.tags].some((text) => text.toLowerCase().includes(needle));
}

function groupValue(run: RunView, field: string): string {
  const value = runField(run, field);
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** `config.a.b`-style keys of scalar leaves (arrays and media objects count as one column). */
function columnKeys(runs: readonly RunView[], source: "config" | "summary"): string[] {
  const keys = new Set<string>();
  const visit = (value: unknown, prefix: string) => {
    if (keys.size >= MAX_COLUMNS) return;
    const isBranch = value !== null && typeof value === "object" && !Array.isArray(value) && !("_type" in value);
    if (!isBranch) {
      keys.add(prefix);
      return;
    }
    for (const [key, child] of Object.entries(value)) visit(child, `${prefix}.${key}`);
  };
  for (const run of runs) for (const [key, value] of Object.entries(run[source])) visit(value, `${source}.${key}`);
  return [...keys].sort();
}
