import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { RunlogError } from "../errors.js";
import { generateRunId, validateOptionalText, validateRunId, validateScopeName, validateTags } from "../util/names.js";
import { readAutoResumeId } from "./resume-rules.js";
import { type InitOptions, parseRunMoment, type ResumeMode, resolveResume } from "./run-options.js";
import { resolveSettings, type Settings } from "./settings.js";

/** An environment variable, with "" read as unset (as W&B does). */
export const env = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
};

function defaultEntity(): string {
  try {
    return userInfo().username || "local";
  } catch {
    return "local";
  }
}

/** What `init` was asked for: the options, with environment variables filling what they leave out. */
export interface RunRequest {
  readonly settings: Settings;
  readonly entity: string;
  readonly project: string;
  /** The runlog folder, absolute. */
  readonly root: string;
  readonly name: string | undefined;
  readonly notes: string | undefined;
  readonly tags: readonly string[] | undefined;
  readonly group: string | undefined;
  readonly jobType: string | undefined;
}

/** Step 1 of `init`: options and environment, validated (a bad value throws INVALID_ARGUMENT). */
export function readRunRequest(opts: InitOptions): RunRequest {
  const settings = resolveSettings(opts.settings);
  const entity = validateScopeName("entity", opts.entity ?? env("RUNLOG_ENTITY") ?? defaultEntity());
  const project = validateScopeName("project", opts.project ?? env("RUNLOG_PROJECT") ?? "uncategorized");
  const root = resolve(opts.dir ?? env("RUNLOG_DIR") ?? "./runlog");
  const tags =
    opts.tags === undefined
      ? (env("RUNLOG_TAGS")
          ?.split(",")
          .map((t) => t.trim()) ?? undefined)
      : opts.tags;
  return {
    settings,
    entity,
    project,
    root,
    name: validateOptionalText("name", opts.name ?? env("RUNLOG_NAME"), 128),
    notes: validateOptionalText("notes", opts.notes ?? env("RUNLOG_NOTES"), 1_000_000),
    tags: tags === undefined ? undefined : validateTags(tags),
    group: validateOptionalText("group", opts.group ?? env("RUNLOG_RUN_GROUP"), 128),
    jobType: validateOptionalText("jobType", opts.jobType ?? env("RUNLOG_JOB_TYPE"), 64),
  };
}

export interface RunMoment {
  readonly id: string;
  readonly step: number;
}

/** Which run `init` opens and how it relates to runs already stored. */
export interface RunTarget {
  readonly id: string;
  /** The caller named the run (id, RUNLOG_RUN_ID or resumeFrom), so an existing one is a conflict unless resumed. */
  readonly idGiven: boolean;
  /** "auto" is already turned into "allow" (with the remembered id). */
  readonly resume: Exclude<ResumeMode, "auto"> | undefined;
  readonly autoResume: boolean;
  /** Where "auto" remembers the run id until a clean exit. */
  readonly resumeFile: string;
  readonly resumeFrom: RunMoment | undefined;
  readonly forkFrom: RunMoment | undefined;
}

/** Step 2 of `init`: the run's id and resume intent (resume, resumeFrom, forkFrom are mutually exclusive). */
export function resolveRunTarget(opts: InitOptions, scope: Pick<RunRequest, "entity" | "project" | "root">): RunTarget {
  const requested = resolveResume(opts.resume ?? env("RUNLOG_RESUME"));
  const resumeFrom = opts.resumeFrom === undefined ? undefined : parseRunMoment("resumeFrom", opts.resumeFrom);
  const forkFrom = opts.forkFrom === undefined ? undefined : parseRunMoment("forkFrom", opts.forkFrom);
  if ([requested, resumeFrom, forkFrom].filter((x) => x !== undefined).length > 1) {
    throw new RunlogError("INVALID_ARGUMENT", "resume, resumeFrom and forkFrom are mutually exclusive; pass only one.");
  }

  let id = opts.id ?? env("RUNLOG_RUN_ID");
  const idGiven = id !== undefined || resumeFrom !== undefined;
  const resumeFile = join(scope.root, "resume.json");
  // "auto" (option or RUNLOG_RESUME) remembers the run id in resume.json until a clean exit.
  const autoResume = requested === "auto";
  if (autoResume && id === undefined) id = readAutoResumeId(resumeFile, scope.entity, scope.project);
  if (resumeFrom !== undefined) {
    if (id !== undefined && id !== resumeFrom.id) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `resumeFrom rewinds run "${resumeFrom.id}" but id is "${id}"; leave id out or make them equal.`,
      );
    }
    id = resumeFrom.id;
  }
  id = validateRunId(id ?? generateRunId());
  if (forkFrom !== undefined && forkFrom.id === id) {
    throw new RunlogError("INVALID_ARGUMENT", "forkFrom must name another run than the new run's id.");
  }
  const resume = requested === "auto" ? "allow" : requested;
  return { id, idGiven, resume, autoResume, resumeFile, resumeFrom, forkFrom };
}
