import { RunlogError } from "@runlog/core";
import { type DecodedRecord, validateSpan } from "@runlog/core/store-kit";
import type { RunAddress } from "./run-writer.js";

const STATES = new Set(["running", "finished", "failed", "crashed", "killed", "preempting"]);
const LEVELS = new Set(["INFO", "WARN", "ERROR"]);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isText = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function bad(record: DecodedRecord, what: string): never {
  throw new RunlogError("INVALID_ARGUMENT", `Record seq ${String(record.header.seq).slice(0, 20)} (${record.kind}): ${what}.`);
}

/** Checks per kind: what a store writes must have the shape the appliers and readers assume. */
const CHECKS: { [K in DecodedRecord["kind"]]: (h: Record<string, unknown>, r: DecodedRecord, to: RunAddress) => void } = {
  run(h, r, to) {
    if (h.entity !== to.entity || h.project !== to.project || h.id !== to.id) bad(r, "it names another run than the URL");
    if (!isText(h.name, 128) || !isStrings(h.tags) || !finite(h.startTime) || !finite(h.crashTimeout) || !Number.isInteger(h.attempt))
      bad(r, "name, tags, startTime, crashTimeout or attempt is malformed");
    if (h.rewindTo !== undefined && !finite(h.rewindTo)) bad(r, "rewindTo must be a step");
    const fork = h.forkFrom as Record<string, unknown> | undefined;
    if (fork !== undefined && (!isObject(fork) || !isText(fork.id, 128) || !finite(fork.step))) bad(r, "forkFrom must be { id, step }");
  },
  meta: (h, r) => isObject(h.metadata) || bad(r, "metadata must be an object"),
  config: (h, r) => isObject(h.config) || bad(r, "config must be an object"),
  summary: (h, r) => (isObject(h.set) && isStrings(h.delete)) || bad(r, "summary needs set {} and delete []"),
  metrics: (h, r) => Array.isArray(h.metrics) || bad(r, "metrics must be an array"),
  history(h, r) {
    if (h.stream !== "history" && h.stream !== "system") bad(r, "stream must be history or system");
    if (!finite(h.lastStep) || !Array.isArray(h.rows)) bad(r, "lastStep or rows is malformed");
    for (const row of h.rows as unknown[]) {
      if (!Array.isArray(row) || !Number.isSafeInteger(row[0]) || !isObject(row[1])) bad(r, "rows must be [step, {…}] pairs");
    }
    const columns = (r as unknown as { columns: { key: string; steps: Float64Array; values: Float64Array }[] }).columns;
    const counts = h.counts as unknown[];
    if (!isStrings(h.keys) || !Array.isArray(counts) || counts.length !== h.keys.length) bad(r, "keys and counts do not match");
    columns.forEach((column, i) => {
      if (column.key.length > 1000 || column.steps.length !== counts[i] || column.values.length !== counts[i])
        bad(r, "a column's body is short");
    });
  },
  alert: (h, r) =>
    (isText(h.title, 10_000) && isText(h.text, 100_000) && LEVELS.has(h.level as string) && finite(h.waitDuration)) ||
    bad(r, "title, text, level or waitDuration is malformed"),
  exit: (h, r) =>
    (Number.isInteger(h.exitCode) && STATES.has(h.state as string) && finite(h.runtime)) ||
    bad(r, "exitCode, state or runtime is malformed"),
  preempting: () => {},
  file(h, r) {
    const path = h.path;
    if (!isText(path, 1000) || path === "" || path.startsWith("/") || path.split(/[\\/]/).includes("..") || path.includes("\0"))
      bad(r, "path must be relative, inside the run's files");
    if (!Number.isSafeInteger(h.size) || (h.size as number) < 0) bad(r, "size must be a byte count");
  },
  span: (h) => validateSpan(h as never),
};

/**
 * Records arriving over the network: every header has the shape its kind promises, sequence
 * numbers rise, and every run record names the run of the URL (a key for one run's entity
 * cannot write another's).
 */
export function validateRecords(records: readonly DecodedRecord[], to: RunAddress): void {
  let previous = 0;
  for (const record of records) {
    const h = record.header as unknown as Record<string, unknown>;
    if (!isObject(h) || !Number.isSafeInteger(h.seq) || (h.seq as number) <= previous || !finite(h.t)) {
      throw new RunlogError("INVALID_ARGUMENT", "Records must carry rising integer seq numbers and a time t.");
    }
    previous = h.seq as number;
    CHECKS[record.kind](h, record, to);
  }
}
