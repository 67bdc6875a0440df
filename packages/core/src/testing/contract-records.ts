import type { FramePart } from "../pipeline/frame.js";
import type { DecodedRecord } from "../pipeline/records.js";
import type { RunAddress } from "../store/online/ingest-client.js";

/**
 * A small run as the pipeline seals it, for the write-side suites: opening record, config,
 * a history row, a summary and the exit, with sequence numbers 1…5.
 */
export function contractRun(address: RunAddress, t = 1_700_000_000_000): DecodedRecord[] {
  return [
    {
      kind: "run",
      header: {
        seq: 1,
        t,
        ...address,
        name: `${address.id}-name`,
        tags: ["contract"],
        startTime: t,
        crashTimeout: 300,
        attempt: 0,
      },
    },
    { kind: "config", header: { seq: 2, t: t + 1, config: { lr: 0.5, layers: [8, 4] } } },
    {
      kind: "history",
      header: { seq: 3, t: t + 2, stream: "history", keys: [], counts: [], rows: [[7, { note: "seven" }]], lastStep: 7 },
      columns: [],
    },
    { kind: "summary", header: { seq: 4, t: t + 3, set: { best: 0.25 }, delete: [] } },
    { kind: "exit", header: { seq: 5, t: t + 4, exitCode: 0, state: "finished", runtime: 4 } },
  ];
}

/** The same records as frames, the way a sink receives them. */
export function framesOf(records: readonly DecodedRecord[]): FramePart[] {
  return records.map((record) => ({ kind: record.kind, header: record.header }));
}
