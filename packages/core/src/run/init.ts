import { existsSync, statSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { ArtifactService } from "../artifacts/artifact-service.js";
import { RunArtifacts } from "../artifacts/run-artifacts.js";
import { RunlogError } from "../errors.js";
import { LogHandler } from "../history/log-handler.js";
import { MetricRegistry } from "../metrics/metric-registry.js";
import { SummaryTracker } from "../metrics/summary-tracker.js";
import { RunPipeline } from "../pipeline/pipeline.js";
import type { RunState } from "../pipeline/records.js";
import { setRunFileWriter } from "../pipeline/run-file-writer.js";
import type { DescribeRunResult, Sink, StoredRunSnapshot } from "../pipeline/sink.js";
import { HttpSink } from "../store/http/http-sink.js";
import { IngestClient } from "../store/http/ingest-client.js";
import { RemoteArtifactService } from "../store/http/remote-artifacts.js";
import { uploadRunDir } from "../store/http/sync-to-server.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteSink } from "../store/sqlite/sqlite-sink.js";
import { listRunLogs, SqliteStore } from "../store/sqlite/sqlite-store.js";
import { SystemMonitor } from "../system/system-monitor.js";
import { ensureDir } from "../util/ensure-dir.js";
import { generateRunId, generateRunName, validateOptionalText, validateRunId, validateScopeName, validateTags } from "../util/names.js";
import { printFinishSummary, printStartBanner } from "./banner.js";
import { Config, ConfigState } from "./config.js";
import { startConsoleCapture } from "./console-capture.js";
import { disabledRun } from "./disabled-run.js";
import { drainProgress } from "./drain-progress.js";
import { currentRun, type TrackedRun, trackRun, untrackRun } from "./lifecycle.js";
import { gitMetadata, hostMetadata } from "./metadata.js";
import { checkResumeRules, clearAutoResume, readAutoResumeId } from "./resume-rules.js";
import { Run, type RunParts } from "./run.js";
import { RunFiles } from "./run-files.js";
import { checkEntityFolderFree, RUN_FILE, removeIfEmpty, runFolder } from "./run-folder.js";
import { acquireRunLock } from "./run-lock.js";
import { checkOptionNames, type InitOptions, parseRunMoment, resolveMode, resolveReinit, resolveResume } from "./run-options.js";
import { resolveSettings } from "./settings.js";
import { Summary } from "./summary.js";
import { applySweepTrial, sweepTrialFromEnv } from "./sweep-trial.js";
import type { TypedInitOptions, TypedRun } from "./typed-run.js";

const env = (name: string): string | undefined => {
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

/** The server an online run logs to: `baseUrl` (RUNLOG_BASE_URL) with `apiKey` (RUNLOG_API_KEY). */
function onlineServer(opts: InitOptions): IngestClient {
  const baseUrl = opts.baseUrl ?? env("RUNLOG_BASE_URL");
  if (baseUrl === undefined) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      'mode "online" needs the server\'s URL: pass baseUrl (or set RUNLOG_BASE_URL), e.g. "http://runlog.internal:8080".',
    );
  }
  return new IngestClient(baseUrl, opts.apiKey ?? env("RUNLOG_API_KEY"));
}

function write(message: string): void {
  process.stderr.write(`runlog: ${message}\n`);
}

/**
 * Starts a run. Resolves in milliseconds: the store is opened in a worker thread and
 * nothing else waits on disk. Options mirror W&B's `wandb.init`; environment variables
 * (RUNLOG_PROJECT, RUNLOG_MODE, …) fill what the options leave out.
 */
export async function init<C extends object = Record<string, unknown>>(options?: TypedInitOptions<C>): Promise<TypedRun<C>>;
export async function init(options?: InitOptions): Promise<Run> {
  // Whatever fails once the run's lock is taken gives the lock (and what came with it) back.
  const undo: { fn?: () => void } = {};
  try {
    return await openRun(options, undo);
  } catch (error) {
    undo.fn?.();
    throw error;
  }
}

async function openRun(options: InitOptions | undefined, undo: { fn?: () => void }): Promise<Run> {
  const opts = checkOptionNames(options);
  const mode = resolveMode(opts.mode ?? env("RUNLOG_MODE"));
  const reinit = resolveReinit(opts.reinit);
  const previous = currentRun();
  if (previous !== undefined && reinit === "return_previous" && mode !== "disabled") return previous;
  if (previous !== undefined && reinit === "finish_previous") await previous.finish();

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
  const request = {
    entity,
    project,
    name: validateOptionalText("name", opts.name ?? env("RUNLOG_NAME"), 128),
    notes: validateOptionalText("notes", opts.notes ?? env("RUNLOG_NOTES"), 1_000_000),
    tags: tags === undefined ? undefined : validateTags(tags),
    group: validateOptionalText("group", opts.group ?? env("RUNLOG_RUN_GROUP"), 128),
    jobType: validateOptionalText("jobType", opts.jobType ?? env("RUNLOG_JOB_TYPE"), 64),
  };
  let resume = resolveResume(opts.resume ?? env("RUNLOG_RESUME"));
  // "auto" (option or RUNLOG_RESUME) remembers the run id in resume.json until a clean exit.
  const autoResume = resume === "auto";
  const resumeFrom = opts.resumeFrom === undefined ? undefined : parseRunMoment("resumeFrom", opts.resumeFrom);
  const forkFrom = opts.forkFrom === undefined ? undefined : parseRunMoment("forkFrom", opts.forkFrom);
  if ([resume, resumeFrom, forkFrom].filter((x) => x !== undefined).length > 1) {
    throw new RunlogError("INVALID_ARGUMENT", "resume, resumeFrom and forkFrom are mutually exclusive; pass only one.");
  }

  let id = opts.id ?? env("RUNLOG_RUN_ID");
  const idGiven = id !== undefined || resumeFrom !== undefined;
  const resumeFile = join(root, "resume.json");
  if (resume === "auto") {
    if (id === undefined) id = readAutoResumeId(resumeFile, entity, project);
    resume = "allow";
  }
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

  const configState = new ConfigState(opts.allowValChange ?? false);
  if (opts.config !== undefined) configState.update(opts.config, {});
  if (mode === "disabled") return disabledRun(id, entity, project, request, settings, configState);

  const online = mode === "online" ? onlineServer(opts) : undefined;
  ensureDir(root, "the runlog folder");
  const runDir = runFolder(root, { entity, project, id });
  checkEntityFolderFree(root, entity);
  const createdRunDir = !existsSync(runDir);
  ensureDir(join(runDir, "files"), "the run's folder");
  // One writer per run, decided before anything reads or writes the run (check and take are one step).
  const lock = acquireRunLock(join(runDir, "run.lock"));
  let sink: Sink | undefined;
  undo.fn = () => {
    // Not awaited: nothing was delivered, and the store's worker is unref'd, so waiting for it
    // to exit would leave this rejection unsettled in a process with nothing else to do.
    void sink?.close();
    if (createdRunDir) removeIfEmpty(join(runDir, "files"));
    lock.release();
    if (createdRunDir) removeIfEmpty(runDir);
  };
  if (mode === "offline") {
    if (resume !== undefined || resumeFrom || forkFrom) write("resume, resumeFrom and forkFrom are ignored in offline mode (as in W&B).");
    if (listRunLogs(runDir).length > 0) {
      throw new RunlogError(
        "RESUME_CONFLICT",
        `An offline run with id "${id}" already exists in ${runDir}; sync it with \`runlog sync ${runDir}\` or choose another id.`,
      );
    }
  }

  // Ask the store (in its worker) what it knows, after replaying any log a crash left behind.
  let described: DescribeRunResult = { projectRunCount: 0 };
  let parent: StoredRunSnapshot | undefined;
  if (mode === "local" || mode === "online") {
    const heartbeatSeconds = Math.min(30, settings.crashTimeout / 3);
    sink = online
      ? new HttpSink(online, { entity, project, id }, heartbeatSeconds, write, settings.initTimeout * 1000, join(runDir, "files"))
      : new SqliteSink(join(root, DB_FILE), heartbeatSeconds);
    // Online: what an earlier attempt left in the local log reaches the server first.
    if (online && listRunLogs(runDir).length > 0) await uploadRunDir(runDir, { entity, project, id }, online, settings.initTimeout * 1000);
    described = await sink.describeRun({ entity, project, id, runDir });
    const parentId = forkFrom?.id;
    if (parentId !== undefined) {
      parent = (await sink.describeRun({ entity, project, id: parentId, runDir: runFolder(root, { entity, project, id: parentId }) })).run;
      if (parent === undefined)
        throw new RunlogError("RUN_NOT_FOUND", `forkFrom: run "${parentId}" does not exist in ${entity}/${project}.`);
    }
    checkResumeRules(described.run, { id, idGiven, resume, resumeFrom });
  }
  const stored = described.run;
  const resumed = stored !== undefined;
  if (autoResume) writeFileSync(resumeFile, JSON.stringify({ runId: id, entity, project }));

  const metrics = new MetricRegistry();
  const tracker = new SummaryTracker((key) => metrics.resolve(key));
  if (stored) {
    metrics.load(stored.metrics);
    if (resumeFrom === undefined) tracker.load(stored.summary);
    const given = configState.snapshot();
    configState.load(stored.config);
    configState.update(given, { allowValChange: true });
  } else if (parent) {
    metrics.load(parent.metrics);
    const given = configState.snapshot();
    configState.load(parent.config);
    configState.update(given, { allowValChange: true });
  }
  const sweepTrial = sweepTrialFromEnv();
  applySweepTrial(configState, sweepTrial, write);
  const firstStep = resumeFrom ? resumeFrom.step + 1 : forkFrom ? forkFrom.step + 1 : stored ? stored.lastStep + 1 : 0;
  const startTime = Date.now() / 1000;
  const startedAt = Date.now() - (stored && !resumeFrom ? stored.runtime * 1000 : 0);
  const attempt = stored?.attempts ?? 0;
  const state = {
    name: request.name ?? stored?.name ?? generateRunName(described.projectRunCount + 1),
    notes: request.notes ?? stored?.notes,
    tags: request.tags ?? stored?.tags ?? Object.freeze([]),
  };
  const group = request.group ?? stored?.group;
  const jobType = request.jobType ?? stored?.jobType;
  const sweepId = sweepTrial?.sweepId;
  writeFileSync(join(runDir, RUN_FILE), JSON.stringify({ entity, project, id }));

  let handler: LogHandler | undefined;
  const pipeline = new RunPipeline({
    logPath: join(runDir, `attempt-${String(attempt).padStart(4, "0")}.rlog`),
    sink,
    firstSeq: (stored?.appliedSeq ?? 0) + 1,
    flushIntervalSeconds: settings.flushInterval,
    beforeSeal: () => {
      const config = configState.takeChange();
      if (config !== undefined) pipeline.push("config", { config });
      const summary = tracker.takeChanges();
      if (summary !== undefined) pipeline.push("summary", summary);
    },
    lastStep: () => handler?.lastCommittedStep ?? firstStep - 1,
    onSinkError: (error) => write(error.message),
    warn: write,
  });
  setRunFileWriter(join(runDir, "files"), (path, bytes) => pipeline.writeFile(path, bytes));
  handler = new LogHandler({
    metrics,
    summary: tracker,
    batch: pipeline.history,
    runDir: join(runDir, "files"),
    startedAt,
    onStepRegression: settings.onStepRegression,
    warn: write,
    firstStep,
  });
  if (resumeFrom === undefined && stored) handler.lastCommittedStep = stored.lastStep;

  const runRecord = (first: boolean) => ({
    entity,
    project,
    id,
    name: state.name,
    ...(state.notes === undefined ? {} : { notes: state.notes }),
    tags: state.tags,
    ...(group === undefined ? {} : { group }),
    ...(jobType === undefined ? {} : { jobType }),
    ...(sweepId === undefined ? {} : { sweepId }),
    startTime,
    crashTimeout: settings.crashTimeout,
    attempt,
    // Rewind and fork happen once, with the attempt's first run record.
    ...(first && resumeFrom ? { rewindTo: resumeFrom.step } : {}),
    ...(first && forkFrom ? { forkFrom } : {}),
  });
  pipeline.push("run", runRecord(true));
  pipeline.push("meta", { metadata: { ...hostMetadata(), mode, attempt } });
  if (metrics.size > 0) pipeline.push("metrics", { metrics: metrics.all() });
  pipeline.seal();
  pipeline.start();

  const monitor = settings.disableStats
    ? undefined
    : new SystemMonitor(settings.statsSamplingInterval, (sample) => {
        const runtime = (Date.now() - startedAt) / 1000;
        for (const [key, value] of Object.entries(sample)) pipeline.system.addScalar(`system/${key}`, runtime, value);
      });
  monitor?.start();
  const stopConsole = settings.console === "wrap" ? startConsoleCapture(join(runDir, "files", "output.log")) : undefined;
  void gitMetadata().then((git) => {
    if (Object.keys(git).length > 0 && !exitRecorded) pipeline.push("meta", { metadata: git });
  });

  let exitRecorded = false;
  const recordExit = (exitCode: number, finalState: RunState) => {
    if (exitRecorded) return;
    exitRecorded = true;
    (handler as LogHandler).flushPending();
    pipeline.push("exit", { exitCode, state: finalState, runtime: (Date.now() - startedAt) / 1000 });
  };
  const release = () => {
    setRunFileWriter(join(runDir, "files"), undefined);
    lock.release();
    untrackRun(tracked);
  };

  const files = new RunFiles(join(runDir, "files"), root, (file) => pipeline.push("file", file), write);
  const shutdown = async (exitCode: number, finalState: RunState, quiet: boolean) => {
    monitor?.stop();
    files.finish();
    await stopConsole?.();
    // The console log is a run file like W&B's output.log: listed with the run's files once complete.
    const consoleLog = stopConsole && statSync(join(runDir, "files", "output.log"), { throwIfNoEntry: false });
    if (consoleLog && consoleLog.size > 0) pipeline.push("file", { path: "output.log", size: consoleLog.size });
    recordExit(exitCode, finalState);
    const progress = drainProgress();
    const complete = await pipeline.drain(settings.finishTimeout * 1000, (pending) => {
      if (!quiet) progress.update(pending);
    });
    progress.done();
    pipeline.closeLog();
    // Everything is committed (and readable) once drained; closing checkpoints the WAL,
    // which need not delay the caller. If the process exits first, SQLite recovers the WAL.
    void sink?.close();
    release();
    if (exitCode === 0 && existsSync(resumeFile)) clearAutoResume(resumeFile, id);
    const lost = pipeline.lossError();
    if (!complete && lost === undefined) {
      const sync = online ? `runlog sync ${runDir} --server ${online.serverUrl}` : `runlog sync ${runDir}`;
      write(
        `the store did not confirm every record within finishTimeout (${settings.finishTimeout} s). Nothing is lost: run \`${sync}\` to finish saving.`,
      );
    } else {
      printFinishSummary(run, {
        root,
        runDir,
        server: online?.serverUrl,
        write,
        state: finalState,
        runtimeSeconds: (Date.now() - startedAt) / 1000,
        quiet,
      });
    }
    if (lost !== undefined) throw lost;
  };

  const parts: RunParts = {
    id,
    entity,
    project,
    get name() {
      return state.name;
    },
    set name(value: string) {
      state.name = value;
    },
    get notes() {
      return state.notes;
    },
    set notes(value: string | undefined) {
      state.notes = value;
    },
    get tags() {
      return state.tags;
    },
    set tags(value: readonly string[]) {
      state.tags = value;
    },
    group,
    jobType,
    sweepId,
    startTime,
    settings,
    mode,
    resumed,
    dir: join(runDir, "files"),
    uiBaseUrl: mode === "local" ? (env("RUNLOG_UI_URL") ?? "http://127.0.0.1:6006") : online ? online.serverUrl : undefined,
    config: new Config(configState),
    configState,
    summary: undefined as unknown as Summary,
    metrics,
    handler,
    pipeline,
    publishRunRecord: () => pipeline.push("run", runRecord(false)),
    artifacts: new RunArtifacts(
      mode === "local" ? new ArtifactService(root) : online ? new RemoteArtifactService(online) : undefined,
      { id, entity, project, group, path: `${entity}/${project}/${id}` },
      mode,
      write,
    ),
    files,
    shutdown,
    warn: write,
  };
  const run = new Run(parts);
  (parts as { summary: Summary }).summary = new Summary(tracker, () => {
    if (run.closed) throw new RunlogError("RUN_FINISHED", `Run (${id}) is finished; its summary can no longer change.`);
  });

  const tracked: TrackedRun = {
    run,
    lastChance(exitCode, killed) {
      try {
        monitor?.stop();
        files.finish();
        recordExit(exitCode, killed ? "killed" : exitCode === 0 ? "finished" : "failed");
        pipeline.sealAndSyncNow();
        pipeline.closeLog();
        if (mode === "local") {
          const store = new SqliteStore(join(root, DB_FILE));
          try {
            store.replayRunDir(runDir);
          } finally {
            store.close();
          }
        }
      } catch (error) {
        write(
          `could not save run ${id} at exit (${(error as Error).message}); its transaction log is in ${runDir}: run \`runlog sync ${runDir}\`.`,
        );
      } finally {
        release();
      }
    },
  };
  trackRun(tracked);
  undo.fn = undefined; // the run owns its lock now: finish() and the exit handlers release it
  printStartBanner(run, { root, runDir, server: online?.serverUrl, write });
  return run;
}
