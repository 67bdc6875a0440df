import { statSync, truncateSync } from "node:fs";
import { listRunLogs, readTransactionLog } from "@runlog/core/store-kit";

export type Stream = "history" | "system";

/** What one stream's history frames in a run's logs hold. */
export interface StreamSoFar {
  /** The highest step (history) or `_runtime` (system) already imported; -Infinity when none. */
  lastStep: number;
  rows: number;
  points: number;
}

/** What earlier imports left in a run folder's transaction logs. */
export interface PriorImport {
  readonly lastSeq: number;
  /** Records other than history frames, in log order (a mapper emits them in one order). */
  readonly records: number;
  readonly streams: Record<Stream, StreamSoFar>;
}

/**
 * Reads a run folder's logs (a torn tail, left by an import killed mid-write, is cut off first):
 * the highest seq, how many non-history records, and per stream the last step, rows and points.
 */
export function readPriorImport(dir: string): PriorImport {
  let lastSeq = 0;
  let records = 0;
  const streams: Record<Stream, StreamSoFar> = {
    history: { lastStep: Number.NEGATIVE_INFINITY, rows: 0, points: 0 },
    system: { lastStep: Number.NEGATIVE_INFINITY, rows: 0, points: 0 },
  };
  for (const file of listRunLogs(dir)) {
    const result = readTransactionLog(file, (decoded) => {
      for (const record of decoded) {
        lastSeq = Math.max(lastSeq, record.header.seq);
        if (record.kind !== "history") {
          records++;
          continue;
        }
        // A row goes whole into one frame: its distinct steps are its rows.
        const stream = streams[record.header.stream];
        const steps = new Set<number>();
        for (const column of record.columns) {
          for (const step of column.steps) steps.add(step);
          stream.points += column.steps.length;
        }
        for (const [step, values] of record.header.rows) {
          steps.add(step);
          stream.points += Object.keys(values).length;
        }
        stream.rows += steps.size;
        for (const step of steps) stream.lastStep = Math.max(stream.lastStep, step);
      }
    });
    if (result.tornBytes > 0) truncateSync(file, statSync(file).size - result.tornBytes);
  }
  return { lastSeq, records, streams };
}
