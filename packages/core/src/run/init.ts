import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ArtifactService } from "../artifacts/artifact-service.js";
import { OfflineArtifactService } from "../artifacts/offline/offline-artifacts.js";
import { RunArtifacts } from "../artifacts/run-artifacts.js";
import { RunlogError } from "../errors.js";
import { MetricRegistry } from "../metrics/metric-registry.js";
import { SummaryTracker } from "../metrics/summary-tracker.js";
import type { RunState } from "../pipeline/records.js";
import { setRunFileWriter } from "../pipeline/run-file-writer.js";
import type { Sink } from "../pipeline/sink.js";
import { RemoteArtifactService } from "../store/online/remote-artifacts.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteSink } from "../store/sqlite/sqlite-sink.js";
import { listRunLogs, SqliteStore } from "../store/sqlite/sqlite-store.js";
import { SystemMonitor } from "../system/system-monitor.js";
import { ensureDir } from "../util/ensure-dir.js";
import { generateRunName } from "../util/names.js";
import { assemblePipeline, type RunRecordFields, runRecord } from "./assemble-pipeline.js";
import { printFinishSummary, printStartBanner } from "./banner.js";
import { askStore, chooseSink, onlineServer, type SinkPlace } from "./choose-sink.js";
import { Config, ConfigState } from "./config.js";
import { startConsoleCapture } from "./console-capture.js";
import { disabledRun } from "./disabled-run.js";
import { drainProgress } from "./drain-progress.js";
import { env, readRunRequest, resolveRunTarget } from "./init-request.js";
import { currentRun, type TrackedRun, trackRun, untrackRun } from "./lifecycle.js";
import { gitMetadata, hostMetadata } from "./metadata.js";
import { checkResumeRules, clearAutoResume } from "./resume-rules.js";
import { Run, type RunParts } from "./run.js";
import { RunFiles } from "./run-files.js";
import { checkEntityFolderFree, RUN_FILE, removeIfEmpty, runFolder } from "./run-folder.js";
import { acquireRunLock } from "./run-lock.js";
import { checkOptionNames, type InitOptions, initConfig, resolveMode, resolveReinit } from "./run-options.js";
import { acquireWriterLock, checkNoLiveWriters, checkNotShared, deadWriters, resolveShared, sharedStartingPoint } from "./shared-writer.js";
import { inheritState, startingPoint } from "./starting-point.js";
import { Summary } from "./summary.js";
import { applySweepTrial, sweepTrialFromEnv } from "./sweep-trial.js";
import type { TypedInitOptions, TypedRun } from "./typed-run.js";

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
  const modeOption = opts.mode ?? env("RUNLOG_MODE");
  const shared = resolveShared(opts, modeOption);
  const mode = resolveMode(shared ? "local" : modeOption);
  const reinit = resolveReinit(opts.reinit);
  const previous = currentRun();
  if (previous !== undefined && reinit === "return_previous" && mode !== "disabled") return previous;
  if (previous !== undefined && reinit === "finish_previous") await previous.finish();

  // 1. Options and environment; 2. which run, and how it resumes.
  const request = readRunRequest(opts);
  const { settings, entity, project, root } = request;
  const target = resolveRunTarget(opts, request);
  const { id, resume, resumeFrom, forkFrom, resumeFile } = target;

  // W&B's init(allow_val_change) does not loosen later config changes: each update says so itself.
  const configState = new ConfigState(false);
  const config = initConfig(opts);
  if (config !== undefined) configState.update(config, {});
  if (mode === "disabled") return disabledRun(id, entity, project, request, settings, configState);

  const online = mode === "online" ? onlineServer(opts) : undefined;
  ensureDir(root, "the runlog folder");
  const runDir = runFolder(root, { entity, project, id });
  checkEntityFolderFree(root, entity);
  const createdRunDir = !existsSync(runDir);
  ensureDir(join(runDir, "files"), "the run's folder");
  // One writer per run, decided before anything reads or writes the run (check and take are one step);
  // in shared mode one writer per label.
  const lock = shared ? acquireWriterLock(runDir, shared, id) : acquireRunLock(join(runDir, "run.lock"));
  let sink: Sink | undefined;
  undo.fn = () => {
    // Not awaited: nothing was delivered, and the store's worker is unref'd, so waiting for it
    // to exit would leave this rejection unsettled in a process with nothing else to do.
    void sink?.close();
    if (createdRunDir) removeIfEmpty(join(runDir, "files"));
    lock.release();
    if (createdRunDir) removeIfEmpty(runDir);
  };
  if (!shared) checkNoLiveWriters(runDir, id);
  if (mode === "offline") {
    if (resume !== undefined || resumeFrom || forkFrom) write("resume, resumeFrom and forkFrom are ignored in offline mode (as in W&B).");
    if (listRunLogs(runDir).length > 0) {
      throw new RunlogError(
        "RESUME_CONFLICT",
        `An offline run with id "${id}" already exists in ${runDir}; sync it with \`runlog sync ${runDir}\` or choose another id.`,
      );
    }
  }

  // 3. Mode and sink: ask the store what it knows, then apply the resume rules to its answer.
  const place: SinkPlace = { entity, project, id, root, runDir, settings, warn: write };
  sink = chooseSink(mode, online, place);
  const { described, parent } = await askStore(
    sink,
    online,
    place,
    forkFrom,
    online !== undefined && listRunLogs(runDir).length > 0,
    shared?.label,
  );
  // A shared writer joins the run as it is; an ordinary run must not continue a shared one.
  if (sink !== undefined && !shared) checkResumeRules(described.run, target);
  if (!shared) checkNotShared(described.run, id);
  const stored = described.run;
  const resumed = stored !== undefined;
  if (target.autoResume) writeFileSync(resumeFile, JSON.stringify({ runId: id, entity, project }));

  const metrics = new MetricRegistry();
  const tracker = new SummaryTracker((key) => metrics.resolve(key));
  if (shared) {
    // A writer's config and summary are what it sets itself (the store merges them); definitions are the run's.
    if (stored) metrics.load(stored.metrics);
    const mine = stored?.writers?.find((w) => w.label === shared.label);
    if (mine) tracker.load(mine.summary);
  } else inheritState({ metrics, tracker, configState }, stored, parent, resumeFrom);
  const sweepTrial = sweepTrialFromEnv();
  applySweepTrial(configState, sweepTrial, write);
  const start = shared ? sharedStartingPoint(stored, shared) : startingPoint(stored, resumeFrom, forkFrom);
  const startTime = Date.now() / 1000;
  const startedAt = Date.now() - start.priorRuntime * 1000;
  const state = {
    name: request.name ?? stored?.name ?? generateRunName(described.projectRunCount + 1),
    notes: request.notes ?? stored?.notes,
    tags: request.tags ?? stored?.tags ?? Object.freeze([]),
  };
  const group = request.group ?? stored?.group;
  const jobType = request.jobType ?? stored?.jobType;
  const sweepId = sweepTrial?.sweepId;
  writeFileSync(join(runDir, RUN_FILE), JSON.stringify({ entity, project, id }));

  // 4. Pipeline assembly: the attempt's first records, sealed before anything else is logged.
  const { pipeline, handler } = assemblePipeline({
    runDir,
    sink,
    settings,
    start,
    startedAt,
    lastStoredStep: shared ? start.firstStep - 1 : resumeFrom === undefined && stored ? stored.lastStep : undefined,
    writer: shared,
    configState,
    metrics,
    tracker,
    warn: write,
  });
  const recordFields: RunRecordFields = {
    entity,
    project,
    id,
    state,
    group,
    jobType,
    sweepId,
    startTime,
    crashTimeout: settings.crashTimeout,
    attempt: start.attempt,
    resumeFrom,
    forkFrom,
    writer: shared,
  };
  pipeline.push("run", runRecord(recordFields, true));
  pipeline.push("meta", { metadata: { ...hostMetadata(), mode, attempt: start.attempt } });
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
  // The one `git status` this runs is a process spawn (a fork of this process): local runs have their
  // store's worker thread do it; the others do it once init has returned.
  const recordGit = (git: Record<string, unknown>) => {
    if (Object.keys(git).length > 0 && !exitRecorded) pipeline.push("meta", { metadata: git });
  };
  // disableGit: the host records git itself (the bridge reads its client's folder).
  if (!settings.disableGit) {
    if (sink instanceof SqliteSink) sink.gitMetadata(process.cwd(), recordGit);
    else setImmediate(() => void gitMetadata().then(recordGit));
  }

  let exitRecorded = false;
  // The runtime the exit record stores (what `runs ls` shows); the finish line prints the same.
  let exitRuntime = 0;
  const recordExit = (exitCode: number, finalState: RunState) => {
    if (exitRecorded) return;
    exitRecorded = true;
    handler.flushPending();
    const crashedWriters = shared?.primary ? deadWriters(runDir, shared.label) : [];
    exitRuntime = (Date.now() - startedAt) / 1000;
    pipeline.push("exit", {
      exitCode,
      state: finalState,
      runtime: exitRuntime,
      ...(crashedWriters.length > 0 ? { crashedWriters } : {}),
    });
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
        runtimeSeconds: exitRuntime,
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
    publishRunRecord: () => pipeline.push("run", runRecord(recordFields, false)),
    artifacts: new RunArtifacts(
      mode === "local"
        ? new ArtifactService(root)
        : online
          ? new RemoteArtifactService(online)
          : mode === "offline"
            ? new OfflineArtifactService(runDir, root)
            : undefined,
      { id, entity, project, group, path: `${entity}/${project}/${id}` },
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
            store.replayRunDir(runDir, shared?.label);
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
