import { encodeJson, type HistoryRow } from "@runlog/core";
import type { FastifyReply } from "fastify";

/** The most JSON one page of history rows holds (4 MiB), however many rows were asked for. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

/** Rows read from the store at a time: 10,000 wide rows at once cost hundreds of megabytes. */
export const HISTORY_SCAN_ROWS = 500;

export interface HistoryPage {
  /** The rows as a JSON array. */
  readonly json: string;
  readonly count: number;
  readonly lastStep: number | undefined;
  /** The step the next page starts at, when rows are left; undefined when the scan ended. */
  readonly nextStep: number | undefined;
}

/** The step of a history row as `scanHistory` yields it. */
export const rowStep = (row: HistoryRow): number => row._step;

/**
 * Collects rows from `scan` until `limit` rows or `maxBytes` of JSON, encoding each row once, so
 * an answer's size is bounded whatever the row width. A row that alone passes the budget is still
 * sent, so paging always moves on. Reads one row past the end to tell whether more follow.
 * `stepOf` tells a row's step (rows in step order, one row per step); `encode` writes a row's JSON
 * (rows that come encoded, from `scanRowsJson`, pass theirs through).
 */
export async function historyPage<T>(
  scan: AsyncIterable<T>,
  limit: number,
  maxBytes: number,
  stepOf: (row: T) => number,
  encode: (row: T) => string = encodeJson,
): Promise<HistoryPage> {
  const rows: string[] = [];
  let bytes = 2;
  let lastStep: number | undefined;
  let nextStep: number | undefined;
  for await (const row of scan) {
    const text = encode(row);
    const size = Buffer.byteLength(text) + 1;
    if (rows.length >= limit || (rows.length > 0 && bytes + size > maxBytes)) {
      nextStep = stepOf(row);
      break;
    }
    rows.push(text);
    bytes += size;
    lastStep = stepOf(row);
  }
  return { json: `[${rows.join(",")}]`, count: rows.length, lastStep, nextStep };
}

/** Sends a page; when rows are left, `x-next-min-step` names the step the next request starts at. */
export function sendHistoryPage(reply: FastifyReply, page: HistoryPage): FastifyReply {
  if (page.nextStep !== undefined) reply.header("x-next-min-step", String(page.nextStep));
  return reply.type("application/json; charset=utf-8").send(page.json);
}
