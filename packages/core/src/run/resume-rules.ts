import { readFileSync, rmSync } from "node:fs";
import { RunlogError } from "../errors.js";
import type { StoredRunSnapshot } from "../pipeline/sink.js";
import type { ResumeMode } from "./run-options.js";

export interface ResumeFacts {
  readonly id: string;
  readonly idGiven: boolean;
  readonly resume: ResumeMode | undefined;
  readonly resumeFrom: { id: string; step: number } | undefined;
}

/** W&B's resume rules, with its messages adapted. */
export function checkResumeRules(stored: StoredRunSnapshot | undefined, facts: ResumeFacts): void {
  const { id, idGiven, resume, resumeFrom } = facts;
  if (resumeFrom !== undefined) {
    if (stored === undefined) throw new RunlogError("RUN_NOT_FOUND", `resumeFrom: run "${id}" does not exist, so it cannot be rewound.`);
    if (resumeFrom.step > stored.lastStep) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `resumeFrom: run "${id}" only has steps up to ${stored.lastStep}; cannot rewind to ${resumeFrom.step}.`,
      );
    }
    return;
  }
  if (stored === undefined) {
    if (resume === "must") {
      throw new RunlogError(
        "RUN_NOT_FOUND",
        `resume "must" is not a valid option for resuming run (${id}) that has not been initialized. Start it first, or use resume "allow".`,
      );
    }
    return;
  }
  if (resume === "never") {
    throw new RunlogError(
      "RESUME_CONFLICT",
      `resume "never" is not a valid option for resuming a run (${id}) that already exists. Choose a new id or use resume "allow".`,
    );
  }
  if (resume === undefined && idGiven) {
    throw new RunlogError(
      "RESUME_CONFLICT",
      `Run "${id}" already exists. Pass resume: "allow" or "must" to continue it, or choose another id.`,
    );
  }
}

export function readAutoResumeId(file: string, entity: string, project: string): string | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { runId?: string; entity?: string; project?: string };
    return saved.entity === entity && saved.project === project ? saved.runId : undefined;
  } catch {
    return undefined;
  }
}

export function clearAutoResume(file: string, id: string): void {
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { runId?: string };
    if (saved.runId === id) rmSync(file, { force: true });
  } catch {
    // An unreadable resume file is simply left alone.
  }
}
