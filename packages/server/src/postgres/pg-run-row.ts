import { decodeJson, encodeJson, type RunState } from "@runlog/core";

/** A `runs` row as PostgreSQL returns it (BIGINT parsed to number by the pool, see pg-pool.ts). */
export interface PgRunRow {
  pk: number;
  entity: string;
  project: string;
  run_id: string;
  name: string;
  notes: string | null;
  tags: string;
  group_name: string | null;
  job_type: string | null;
  sweep_id: string | null;
  state: RunState;
  exit_code: number | null;
  config: string;
  summary: string;
  metrics: string;
  metadata: string;
  created_at: number;
  heartbeat_at: number;
  finished_at: number | null;
  runtime: number;
  crash_timeout: number;
  attempts: number;
  forked_from: string | null;
  last_step: number;
  applied_seq: number;
}

const JSON_COLUMNS = ["config", "summary", "metrics", "metadata"] as const;
type JsonColumn = (typeof JSON_COLUMNS)[number];
const SCALAR_COLUMNS = [
  "name",
  "notes",
  "tags",
  "group_name",
  "job_type",
  "sweep_id",
  "state",
  "exit_code",
  "created_at",
  "heartbeat_at",
  "finished_at",
  "runtime",
  "crash_timeout",
  "attempts",
  "forked_from",
  "last_step",
  "applied_seq",
] as const;

/**
 * The locked run row, edited in memory while a batch applies and written back with one UPDATE
 * at the end: a batch of config, summary and exit records costs one statement, not one each.
 */
export class RunRowDraft {
  private readonly parsed = new Map<JsonColumn, unknown>();
  private readonly dirty = new Set<string>();

  constructor(readonly row: PgRunRow) {}

  json<T>(column: JsonColumn): T {
    if (!this.parsed.has(column)) this.parsed.set(column, decodeJson(this.row[column]));
    return this.parsed.get(column) as T;
  }

  setJson(column: JsonColumn, value: unknown): void {
    this.parsed.set(column, value);
    this.dirty.add(column);
  }

  set<K extends (typeof SCALAR_COLUMNS)[number]>(column: K, value: PgRunRow[K]): void {
    this.row[column] = value;
    this.dirty.add(column);
  }

  /** `UPDATE runs SET …` for what changed, or undefined when nothing did. */
  update(): { text: string; values: unknown[] } | undefined {
    if (this.dirty.size === 0) return undefined;
    const values: unknown[] = [];
    const sets: string[] = [];
    for (const column of this.dirty) {
      const isJson = (JSON_COLUMNS as readonly string[]).includes(column);
      values.push(isJson ? encodeJson(this.parsed.get(column as JsonColumn)) : this.row[column as keyof PgRunRow]);
      sets.push(`${column} = $${values.length}`);
    }
    values.push(this.row.pk);
    this.dirty.clear();
    return { text: `UPDATE runs SET ${sets.join(", ")} WHERE pk = $${values.length}`, values };
  }
}
