import { encodeJson, type HistoryRow } from "@runlog/core";

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

/**
 * Collects rows from `scan` until `limit` rows or `maxBytes` of JSON, encoding each row once, so
 * an answer's size is bounded whatever the row width. A row that alone passes the budget is still
 * sent, so paging always moves on. Reads one row past the end to tell whether more follow.
 */
export async function historyPage(scan: AsyncIterable<HistoryRow>, limit: number, maxBytes: number): Promise<HistoryPage> {
  const rows: string[] = [];
  let bytes = 2;
  let lastStep: number | undefined;
  let nextStep: number | undefined;
  for await (const row of scan) {
    const text = encodeJson(row);
    const size = Buffer.byteLength(text) + 1;
    if (rows.length >= limit || (rows.length > 0 && bytes + size > maxBytes)) {
      nextStep = row._step;
      break;
    }
    rows.push(text);
    bytes += size;
    lastStep = row._step;
  }
  return { json: `[${rows.join(",")}]`, count: rows.length, lastStep, nextStep };
}
