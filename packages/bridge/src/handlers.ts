import { resolve } from "node:path";
import { type InitOptions, init, type Run, RunlogError } from "@runlog/core";
import { unpackMultiple } from "msgpackr";
import { clientFacts, clientGit } from "./client-metadata.js";
import { LogRowReader } from "./log-row-reader.js";
import type { ClientMessage } from "./protocol.js";
import { storedSeq } from "./resume-point.js";
import type { Session, Sessions } from "./sessions.js";
import { initOneAtATime } from "./sweep-init.js";
import { fromWire } from "./wire-values.js";

export interface HandlerContext {
  readonly dir: string;
  readonly sessions: Sessions;
  readonly defaultCrashTimeoutMs: number;
}

const SNAKE_TO_CAMEL: Record<string, keyof InitOptions> = {
  job_type: "jobType",
  allow_val_change: "allowValChange",
  resume_from: "resumeFrom",
  fork_from: "forkFrom",
};

/** init(): a new run, or the same run again after a bridge restart (resume "must" with the client's run id). */
export async function handleInit(context: HandlerContext, options: Record<string, unknown>, peer: Buffer): Promise<unknown> {
  const initOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === null || value === undefined || key === "settings" || key === "client" || key === "sweep") continue;
    initOptions[SNAKE_TO_CAMEL[key] ?? key] = value;
  }
  const settings = (options.settings ?? {}) as Record<string, unknown>;
  // Checked before a run exists: a malformed client map creates nothing.
  const facts = clientFacts(options.client);
  // Python's console is its own; the bridge process must not capture (or print) anything for it.
  // Core's git facts would name the bridge's folder: the client's are read below, after init answers.
  initOptions.settings = { console: "off", quiet: true, disableStats: true, ...settings, disableGit: true };
  initOptions.dir = context.dir;
  initOptions.reinit = "create_new";
  const existing = typeof options.id === "string" ? context.sessions.get(options.id) : undefined;
  if (existing) {
    existing.peer = peer; // the client reconnected to a bridge that still hosts its run
    return describe(existing.run, existing.lastSeq);
  }
  const run = await initOneAtATime(options.sweep, () => init(initOptions as InitOptions));
  places.set(run, placeOf(run, initOptions.mode ?? process.env.RUNLOG_MODE));
  const lastSeq = run.resumed ? await storedSeq(context.dir, run, initOptions as InitOptions) : 0;
  const crashTimeoutMs = (Number(settings.crashTimeout ?? settings.crash_timeout) || context.defaultCrashTimeoutMs / 1000) * 1000;
  const session: Session = { run, peer, lastSeq, lastSeen: Date.now(), crashTimeoutMs, lateErrors: [] };
  context.sessions.add(session);
  // The run's own metadata describes the bridge process; the client says who really logs.
  if (facts !== undefined) run.sealNow({ ...facts.metadata, client: facts.client });
  const gitCwd = facts?.gitCwd;
  if (gitCwd !== undefined) session.gitMetadata = readClientGit(run, gitCwd);
  return describe(run, lastSeq);
}

/** Starts after init's reply is on its way (setImmediate runs after the reply's promise callbacks), so init never waits on git. */
async function readClientGit(run: Run, cwd: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const git = await clientGit(cwd).catch(() => ({}));
  // finish waits for this; a run the bridge already closed (crashed client) ignores it.
  if (Object.keys(git).length > 0) run.sealNow(git);
}

/** Where a run logs, for the client's banner: "local" (the bridge's root), "online" (a team server) or "offline". */
interface Place {
  readonly mode: "local" | "online" | "offline";
  /** The team server's URL, for an online run. */
  readonly server: string | null;
}

const places = new WeakMap<Run, Place>();

/** An online run's pages live on its server: the server's URL is its project URL less the project's part. */
function placeOf(run: Run, requestedMode: unknown): Place {
  if (run.offline) return { mode: "offline", server: null };
  const project = `/${encodeURIComponent(run.entity)}/${encodeURIComponent(run.project)}`;
  const projectUrl = run.projectUrl;
  if (requestedMode === "online" && projectUrl?.endsWith(project)) {
    return { mode: "online", server: projectUrl.slice(0, -project.length) };
  }
  return { mode: "local", server: null };
}

function describe(run: Run, lastSeq: number) {
  const place = places.get(run) ?? placeOf(run, undefined);
  return {
    id: run.id,
    name: run.name,
    entity: run.entity,
    project: run.project,
    path: run.path,
    dir: run.dir,
    url: run.url ?? null,
    resumed: run.resumed,
    step: run.step,
    last_seq: lastSeq,
    // What a resumed or forked run starts from, so the client's mirror of config, summary and step agrees.
    config: run.config.toJSON(),
    summary: run.summary.toJSON(),
    notes: run.notes ?? null,
    tags: [...run.tags],
    group: run.group ?? null,
    job_type: run.jobType ?? null,
    sweep_id: run.sweepId ?? null,
    sweep_url: run.sweepUrl ?? null,
    project_url: run.projectUrl ?? null,
    start_time: run.startTime,
    offline: run.offline,
    mode: place.mode,
    server: place.server,
  };
}

/**
 * Applies one batch in order. A batch at or below the last applied sequence is a resend (dropped);
 * a batch past a gap waits for the missing one (the cumulative ack tells the client where to resume).
 * The data and the new sequence are sealed into the run's log together before the ack goes out.
 */
export function handleRecords(session: Session, message: Extract<ClientMessage, { t: "records" }>): { seq: number; errors: string[] } {
  if (message.seq !== session.lastSeq + 1) return { seq: session.lastSeq, errors: [] };
  const run = session.run;
  // A bad item is reported and skipped; the batch still counts as applied, so a resend cannot duplicate the good ones.
  const errors: string[] = [];
  const apply = (item: unknown) => {
    try {
      if (!Array.isArray(item)) throw new RunlogError("INVALID_ARGUMENT", "A record must be a [kind, ...] list.");
      applyItem(session, item);
    } catch (error) {
      errors.push(RunlogError.isInstance(error) ? `${error.code}: ${error.message}` : String((error as Error)?.message ?? error));
    }
  };
  if (message.packed === undefined) for (const item of message.items ?? []) apply(item);
  else applyPacked(session, message.packed, apply, errors);
  session.lastSeq = message.seq;
  run.sealNow({ bridge: { seq: message.seq } });
  return { seq: session.lastSeq, errors };
}

/**
 * Applies records packed back to back: flat scalar rows through the LogRowReader into
 * `Run.logScalars`, anything else decoded by msgpackr one item at a time (so each is garbage
 * before the next is read). An undecodable rest is reported and skipped.
 */
function applyPacked(session: Session, packed: Uint8Array, apply: (item: unknown) => void, errors: string[]): void {
  const bytes = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const reader = (session.rowReader ??= new LogRowReader());
  const run = session.run;
  let offset = 0;
  try {
    while (offset < bytes.length) {
      const end = reader.read(bytes, offset);
      if (end > 0 && run.logScalars(reader.keys, reader.values, reader.count)) {
        offset = end;
        continue;
      }
      const start = offset;
      unpackMultiple(bytes.subarray(start), (item, _itemStart, itemEnd) => {
        apply(item);
        offset = start + (itemEnd ?? 0);
        return false;
      });
      if (offset === start) break;
    }
  } catch (error) {
    errors.push(
      `INVALID_ARGUMENT: the rest of the batch is not msgpack (${String((error as Error)?.message ?? error).slice(0, 80)}); it was skipped.`,
    );
  }
}

function applyItem(session: Session, item: unknown[]): void {
  const run = session.run;
  const [kind, a, b] = item;
  switch (kind) {
    case "log": {
      const data = fromWire(a) as Record<string, unknown>;
      const options = b as { step?: number | null; commit?: boolean | null } | undefined;
      // No options at all keeps core's fast path for flat scalar rows (the common training-loop call).
      if (options === undefined || options === null) {
        run.log(data);
        return;
      }
      run.log(data, {
        ...(options.step === undefined || options.step === null ? {} : { step: options.step }),
        ...(options.commit === undefined || options.commit === null ? {} : { commit: options.commit }),
      });
      return;
    }
    case "config":
      run.config.update(fromWire(a) as Record<string, unknown>, {
        allowValChange: (b as { allow_val_change?: boolean } | undefined)?.allow_val_change === true,
      });
      return;
    case "summary":
      run.summary.update(fromWire(a) as Record<string, unknown>);
      return;
    case "summary_delete":
      run.summary.delete(String(a));
      return;
    case "define_metric": {
      const options = (b ?? {}) as Record<string, unknown>;
      run.defineMetric(String(a), {
        ...(options.step_metric ? { stepMetric: String(options.step_metric) } : {}),
        ...(options.step_sync !== undefined ? { stepSync: Boolean(options.step_sync) } : {}),
        ...(options.hidden !== undefined ? { hidden: Boolean(options.hidden) } : {}),
        ...(options.summary ? { summary: options.summary as never } : {}),
        ...(options.goal ? { goal: options.goal as never } : {}),
        ...(options.overwrite !== undefined ? { overwrite: Boolean(options.overwrite) } : {}),
      });
      return;
    }
    case "alert": {
      const alert = a as { title: string; text: string; level?: "INFO" | "WARN" | "ERROR"; wait_duration?: number };
      void run
        .alert({
          title: alert.title,
          text: alert.text,
          ...(alert.level ? { level: alert.level } : {}),
          // 0 is W&B's "no throttle"; absent is its one-minute default.
          ...(typeof alert.wait_duration === "number" ? { waitDuration: alert.wait_duration * 1000 } : {}),
        })
        .catch((error: unknown) => session.lateErrors.push(`alert failed: ${String((error as Error)?.message ?? error)}`));
      return;
    }
    default:
      throw new RunlogError("INVALID_ARGUMENT", `Unknown record kind ${JSON.stringify(kind)?.slice(0, 40)}.`);
  }
}

export async function handleFinish(context: HandlerContext, session: Session, exitCode: number): Promise<unknown> {
  context.sessions.delete(session.run.id);
  await session.gitMetadata; // at most a few seconds (git's timeouts), so the finished run has its git facts
  await session.run.finish({ exitCode, quiet: true });
  return { state: exitCode === 0 ? "finished" : "failed", last_seq: session.lastSeq };
}

export async function handleSave(session: Session, path: string, basePath: string | undefined): Promise<unknown> {
  const saved = await session.run.save(resolve(path), { policy: "now", ...(basePath ? { basePath: resolve(basePath) } : {}) });
  return { saved };
}
