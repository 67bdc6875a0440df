import { join } from "node:path";
import { LogHandler } from "../history/log-handler.js";
import type { MetricRegistry } from "../metrics/metric-registry.js";
import type { SummaryTracker } from "../metrics/summary-tracker.js";
import { RunPipeline } from "../pipeline/pipeline.js";
import type { HeaderDraft } from "../pipeline/records.js";
import { setRunFileWriter } from "../pipeline/run-file-writer.js";
import type { Sink } from "../pipeline/sink.js";
import type { ConfigState } from "./config.js";
import type { RunMoment } from "./init-request.js";
import type { Settings } from "./settings.js";
import { logFileName, type SharedWriter } from "./shared-writer.js";
import type { StartingPoint } from "./starting-point.js";

/** The run's identity and the fields a `run` record carries (name, notes and tags can change later). */
export interface RunRecordFields {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly state: { name: string; notes: string | undefined; tags: readonly string[] };
  readonly group: string | undefined;
  readonly jobType: string | undefined;
  readonly sweepId: string | undefined;
  readonly startTime: number;
  readonly crashTimeout: number;
  readonly attempt: number;
  readonly resumeFrom: RunMoment | undefined;
  readonly forkFrom: RunMoment | undefined;
  readonly writer?: SharedWriter | undefined;
}

/** The `run` record; rewind and fork happen once, with the attempt's first one. */
export function runRecord(fields: RunRecordFields, first: boolean): HeaderDraft<"run"> {
  const { state, group, jobType, sweepId, resumeFrom, forkFrom } = fields;
  return {
    entity: fields.entity,
    project: fields.project,
    id: fields.id,
    name: state.name,
    ...(state.notes === undefined ? {} : { notes: state.notes }),
    tags: state.tags,
    ...(group === undefined ? {} : { group }),
    ...(jobType === undefined ? {} : { jobType }),
    ...(sweepId === undefined ? {} : { sweepId }),
    startTime: fields.startTime,
    crashTimeout: fields.crashTimeout,
    attempt: fields.attempt,
    ...(first && resumeFrom ? { rewindTo: resumeFrom.step } : {}),
    ...(first && forkFrom ? { forkFrom } : {}),
    ...(fields.writer === undefined ? {} : { writer: { label: fields.writer.label, primary: fields.writer.primary } }),
  };
}

export interface PipelineParts {
  readonly runDir: string;
  readonly sink: Sink | undefined;
  readonly settings: Settings;
  readonly start: StartingPoint;
  /** Epoch milliseconds the run's runtime counts from. */
  readonly startedAt: number;
  readonly lastStoredStep: number | undefined;
  readonly configState: ConfigState;
  readonly metrics: MetricRegistry;
  readonly tracker: SummaryTracker;
  readonly warn: (message: string) => void;
  /** Shared mode: names the writer's own log. */
  readonly writer?: SharedWriter | undefined;
}

/**
 * Step 4 of `init`: the run's pipeline (transaction log → sink) and the log handler that feeds it;
 * at every seal, config and summary changes join the batch.
 */
export function assemblePipeline(parts: PipelineParts): { pipeline: RunPipeline; handler: LogHandler } {
  const { runDir, settings, start, configState, tracker, warn } = parts;
  let handler: LogHandler | undefined;
  const pipeline = new RunPipeline({
    logPath: join(runDir, logFileName(start.attempt, parts.writer)),
    sink: parts.sink,
    firstSeq: start.firstSeq,
    flushIntervalSeconds: settings.flushInterval,
    beforeSeal: () => {
      const config = configState.takeChange();
      if (config !== undefined) pipeline.push("config", { config });
      const summary = tracker.takeChanges();
      if (summary !== undefined) pipeline.push("summary", summary);
    },
    lastStep: () => handler?.lastCommittedStep ?? start.firstStep - 1,
    onSinkError: (error) => warn(error.message),
    warn,
  });
  setRunFileWriter(join(runDir, "files"), (path, bytes) => pipeline.writeFile(path, bytes));
  handler = new LogHandler({
    metrics: parts.metrics,
    summary: tracker,
    batch: pipeline.history,
    runDir: join(runDir, "files"),
    startedAt: parts.startedAt,
    onStepRegression: settings.onStepRegression,
    warn,
    firstStep: start.firstStep,
  });
  if (parts.lastStoredStep !== undefined) handler.lastCommittedStep = parts.lastStoredStep;
  return { pipeline, handler };
}
