import { decodeJson } from "../util/json.js";
import type { SpanView } from "./store.js";

/** A `spans` row: the same columns in the SQLite and the PostgreSQL store. */
export interface SpanRow {
  span_id: string;
  trace_id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  start_time: number;
  end_time: number | null;
  status: "ok" | "error" | null;
  data: string;
}

export const SPAN_COLUMNS = "span_id, trace_id, parent_id, kind, name, start_time, end_time, status, data";

export function spanViewOf(row: SpanRow): SpanView {
  return {
    id: row.span_id,
    traceId: row.trace_id,
    parentId: row.parent_id ?? undefined,
    kind: row.kind,
    name: row.name,
    startTime: row.start_time,
    endTime: row.end_time ?? undefined,
    status: row.status ?? undefined,
    data: decodeJson(row.data),
  };
}
