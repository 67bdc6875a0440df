import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describeValue, RunlogError } from "../errors.js";
import type { StoredRunSnapshot } from "../pipeline/sink.js";
import { acquireRunLock, isLockHeld, type RunLock } from "./run-lock.js";
import type { InitOptions } from "./run-options.js";
import type { StartingPoint } from "./starting-point.js";

/**
 * Shared mode: several processes write one run at once (`init({ id, mode: "shared", label, primary })`).
 * Each writer holds its own lock (`writer-<label>.lock`), writes its own log
 * (`attempt-NNNN-<label>.rlog`) in its own sequence space and keeps its own `_step`; an ordinary
 * run keeps its single `run.lock`, and the two kinds never write one run together.
 */
export interface SharedWriter {
  readonly label: string;
  readonly primary: boolean;
}

const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const WRITER_LOCK = /^writer-([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\.lock$/;

export function writerLockPath(runDir: string, label: string): string {
  return join(runDir, `writer-${label}.lock`);
}

/** The shared-mode options of `init`, validated; undefined for an ordinary run. */
export function resolveShared(opts: InitOptions, modeOption: unknown): SharedWriter | undefined {
  if (modeOption !== "shared") {
    if (opts.label !== undefined || opts.primary !== undefined) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        'label and primary belong to mode "shared"; pass mode: "shared" with them, or leave them out.',
      );
    }
    return undefined;
  }
  if (opts.id === undefined) {
    throw new RunlogError("INVALID_ARGUMENT", 'mode "shared" needs an explicit id: every writer names the run it joins.');
  }
  const label = opts.label;
  if (typeof label !== "string" || !LABEL_PATTERN.test(label)) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `mode "shared" needs a label naming this writer (e.g. "rank_0"), got ${describeValue(label)}: use 1–64 characters from letters, digits, "_", "." and "-", starting with a letter or digit.`,
    );
  }
  const primary = opts.primary ?? false;
  if (typeof primary !== "boolean") throw new RunlogError("INVALID_ARGUMENT", `primary must be a boolean, got ${describeValue(primary)}.`);
  if (opts.resumeFrom !== undefined || opts.forkFrom !== undefined || opts.resume !== undefined) {
    throw new RunlogError("INVALID_ARGUMENT", 'mode "shared" joins the run named by id: resume, resumeFrom and forkFrom do not apply.');
  }
  return { label, primary };
}

/**
 * Takes this writer's lock: WRITER_LABEL_TAKEN when a live process writes the run under the same
 * label, RESUME_CONFLICT when an ordinary (single-writer) run holds the run. Take, then check: of
 * an ordinary writer and a shared one starting together, at least one sees the other.
 */
export function acquireWriterLock(runDir: string, writer: SharedWriter, id: string): RunLock {
  let lock: RunLock;
  try {
    lock = acquireRunLock(writerLockPath(runDir, writer.label));
  } catch (error) {
    if (!RunlogError.isInstance(error) || error.code !== "RESUME_CONFLICT") throw error;
    throw new RunlogError(
      "WRITER_LABEL_TAKEN",
      `Run "${id}" already has a live writer labelled "${writer.label}" (${error.message}) Give each process its own label, e.g. "rank_<N>".`,
      { cause: error, details: { label: writer.label } },
    );
  }
  if (isLockHeld(join(runDir, "run.lock"))) {
    lock.release();
    throw new RunlogError(
      "RESUME_CONFLICT",
      `Run "${id}" is being logged by an ordinary (single-writer) run; shared writers cannot join it. Wait for it to finish, or choose another id.`,
    );
  }
  return lock;
}

/** For an ordinary run, after taking `run.lock`: refuses when shared-mode writers are live. */
export function checkNoLiveWriters(runDir: string, id: string): void {
  const live = writerLocks(runDir).filter((label) => isLockHeld(writerLockPath(runDir, label)));
  if (live.length === 0) return;
  throw new RunlogError(
    "RESUME_CONFLICT",
    `Run "${id}" is being written in shared mode (live writers: ${live.join(", ")}); an ordinary run has one writer. Join it with mode: "shared", or choose another id.`,
  );
}

/** Refuses an ordinary init of a run that was written in shared mode (its history is per writer). */
export function checkNotShared(stored: StoredRunSnapshot | undefined, id: string): void {
  if (stored?.writers === undefined) return;
  throw new RunlogError(
    "RESUME_CONFLICT",
    `Run "${id}" was written in shared mode (writers: ${stored.writers.map((w) => w.label).join(", ")}); continue it with mode: "shared" and a label.`,
  );
}

/** Labels whose writer died without releasing its lock (the primary's exit marks them crashed). */
export function deadWriters(runDir: string, self: string): string[] {
  return writerLocks(runDir).filter((label) => label !== self && !isLockHeld(writerLockPath(runDir, label)));
}

function writerLocks(runDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(runDir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const match = WRITER_LOCK.exec(name);
    return match ? [match[1] as string] : [];
  });
}

/** Where this writer's attempt starts: after its own last step and sequence (not the run's). */
export function sharedStartingPoint(stored: StoredRunSnapshot | undefined, writer: SharedWriter): StartingPoint {
  const mine = stored?.writers?.find((w) => w.label === writer.label);
  return {
    firstStep: mine ? mine.lastStep + 1 : 0,
    attempt: mine?.attempts ?? 0,
    priorRuntime: 0,
    firstSeq: (mine?.appliedSeq ?? 0) + 1,
  };
}

/** The log file of a writer's attempt. */
export function logFileName(attempt: number, writer: SharedWriter | undefined): string {
  const n = String(attempt).padStart(4, "0");
  return writer === undefined ? `attempt-${n}.rlog` : `attempt-${n}-${writer.label}.rlog`;
}
