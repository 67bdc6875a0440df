import { join } from "node:path";
import { RunlogError } from "../errors.js";
import type { DescribeRunResult, Sink, StoredRunSnapshot } from "../pipeline/sink.js";
import { HttpSink } from "../store/online/http-sink.js";
import { IngestClient } from "../store/online/ingest-client.js";
import { uploadRunDir } from "../store/online/sync-to-server.js";
import { DB_FILE } from "../store/sqlite/database.js";
import { SqliteSink } from "../store/sqlite/sqlite-sink.js";
import type { RunMoment } from "./init-request.js";
import { env } from "./init-request.js";
import { runFolder } from "./run-folder.js";
import type { InitOptions, RunMode } from "./run-options.js";
import type { Settings } from "./settings.js";

/** The server an online run logs to: `baseUrl` (RUNLOG_BASE_URL) with `apiKey` (RUNLOG_API_KEY). */
export function onlineServer(opts: Pick<InitOptions, "baseUrl" | "apiKey">): IngestClient {
  const baseUrl = opts.baseUrl ?? env("RUNLOG_BASE_URL");
  if (baseUrl === undefined) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      'mode "online" needs the server\'s URL: pass baseUrl (or set RUNLOG_BASE_URL), e.g. "http://runlog.internal:8080".',
    );
  }
  return new IngestClient(baseUrl, opts.apiKey ?? env("RUNLOG_API_KEY"));
}

export interface SinkPlace {
  readonly entity: string;
  readonly project: string;
  readonly id: string;
  readonly root: string;
  readonly runDir: string;
  readonly settings: Settings;
  readonly warn: (message: string) => void;
}

/**
 * Step 3 of `init`: where sealed records go. Local runs write the embedded SQLite store (in its
 * worker), online runs the server; offline runs only their transaction log (no sink).
 */
export function chooseSink(mode: RunMode, online: IngestClient | undefined, place: SinkPlace): Sink | undefined {
  if (mode !== "local" && mode !== "online") return undefined;
  const heartbeatSeconds = Math.min(30, place.settings.crashTimeout / 3);
  const { entity, project, id } = place;
  return online
    ? new HttpSink(
        online,
        { entity, project, id },
        heartbeatSeconds,
        place.warn,
        place.settings.initTimeout * 1000,
        join(place.runDir, "files"),
      )
    : new SqliteSink(join(place.root, DB_FILE), heartbeatSeconds);
}

export interface StoreAnswer {
  readonly described: DescribeRunResult;
  /** The run `forkFrom` names, as stored. */
  readonly parent: StoredRunSnapshot | undefined;
}

/** Asks the store (in its worker) what it knows of the run, after replaying any log a crash left behind. */
export async function askStore(
  sink: Sink | undefined,
  online: IngestClient | undefined,
  place: SinkPlace,
  forkFrom: RunMoment | undefined,
  hasLocalLogs: boolean,
  /** Shared mode: this writer's label (only its own logs are replayed; the others' processes own theirs). */
  writer?: string,
): Promise<StoreAnswer> {
  if (sink === undefined) return { described: { projectRunCount: 0 }, parent: undefined };
  const { entity, project, id, runDir } = place;
  // Online: what an earlier attempt left in the local log reaches the server first.
  if (online && hasLocalLogs) await uploadRunDir(runDir, { entity, project, id }, online, place.settings.initTimeout * 1000);
  const described = await sink.describeRun({ entity, project, id, runDir, ...(writer === undefined ? {} : { writer }) });
  const parentId = forkFrom?.id;
  if (parentId === undefined) return { described, parent: undefined };
  const parent = (
    await sink.describeRun({ entity, project, id: parentId, runDir: runFolder(place.root, { entity, project, id: parentId }) })
  ).run;
  if (parent === undefined) throw new RunlogError("RUN_NOT_FOUND", `forkFrom: run "${parentId}" does not exist in ${entity}/${project}.`);
  return { described, parent };
}
