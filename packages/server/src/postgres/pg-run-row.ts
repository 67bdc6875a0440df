import { decodeJson, encodeJson } from "@runlog/core";
import type { RunRow } from "@runlog/core/store-kit";

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
  "described",
] as const;

/**
 * The locked run row, edited in memory while a batch applies and written back with one UPDATE
 * at the end: a batch of config, summary and exit records costs one statement, not one each.
 */
export class RunRowDraft {
  private readonly parsed = new Map<JsonColumn, unknown>();
  private readonly dirty = new Set<string>();

  constructor(readonly row: RunRow) {}

  json<T>(column: JsonColumn): T {
    if (!this.parsed.has(column)) this.parsed.set(column, decodeJson(this.row[column]));
    return this.parsed.get(column) as T;
  }

  setJson(column: JsonColumn, value: unknown): void {
    this.parsed.set(column, value);
    this.dirty.add(column);
  }

  set<K extends (typeof SCALAR_COLUMNS)[number]>(column: K, value: RunRow[K]): void {
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
      values.push(isJson ? encodeJson(this.parsed.get(column as JsonColumn)) : this.row[column as keyof RunRow]);
      sets.push(`${column} = $${values.length}`);
    }
    values.push(this.row.pk);
    this.dirty.clear();
    return { text: `UPDATE runs SET ${sets.join(", ")} WHERE pk = $${values.length}`, values };
  }
}
