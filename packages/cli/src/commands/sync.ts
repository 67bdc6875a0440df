import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { listRunFolders, RunlogError } from "@runlog/core";
import {
  defaultStoreRoot,
  describeDamage,
  IngestClient,
  listRunLogs,
  readRunAddress,
  rebuildStore,
  refuseDamagedStore,
  type SyncResult,
  syncOfflineArtifacts,
  syncRunDir,
  uploadRunDir,
} from "@runlog/core/store-kit";
import type { Out } from "../command.js";
import { progressReporter } from "../progress.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const SYNC_HELP = `Usage: runlog sync <run-dir>... [--server URL] [--json]
       runlog sync --all [--dir ./runlog] [--server URL] [--json]
       runlog sync --rebuild [--dir ./runlog] [--json]

Replays runs' transaction logs into the embedded store, or uploads them to a runlog server
with --server (a write key from RUNLOG_API_KEY): offline runs, runs a crash left
half-saved, online runs whose finish() timed out. Safe to repeat: records already stored are
skipped, and a run already uploaded unchanged to that server is not sent again.

  --all          sync every run folder under <dir>/runs (<entity>/<project>/<id>, and an
                 older root's runs/<id>, which is moved to its new place first)
  --rebuild      build a fresh store from every run's logs (after \`runlog doctor\` found it damaged);
                 the old runlog.db is kept aside as runlog.db.damaged-<time>. Stop runs and dashboards first.
  --dir DIR      the runlog root (default RUNLOG_DIR or ./runlog)
  --server URL   upload to this runlog server instead of the embedded store
  --json         print one JSON object per run`;

const MARKER = "synced.json";

/** The size of a run's logs: a marker with the same size says this upload already happened. */
function logBytes(runDir: string): number {
  return listRunLogs(runDir).reduce((sum, file) => sum + statSync(file).size, 0);
}

async function uploadOne(runDir: string, client: IngestClient, server: string) {
  const runFile = join(runDir, "run.json");
  if (!existsSync(runFile)) throw new RunlogError("RUN_NOT_FOUND", `${runDir} is not a run folder (no run.json).`);
  const address = JSON.parse(readFileSync(runFile, "utf8")) as { entity: string; project: string; id: string };
  const bytes = logBytes(runDir);
  const marker = join(runDir, MARKER);
  const previous = existsSync(marker) ? (JSON.parse(readFileSync(marker, "utf8")) as { server?: string; logBytes?: number }) : {};
  if (previous.server === server && previous.logBytes === bytes) return { runDir, skipped: true as const };
  const result = await uploadRunDir(runDir, address, client);
  writeFileSync(marker, JSON.stringify({ server, logBytes: bytes, appliedSeq: result.appliedSeq, at: new Date().toISOString() }));
  return { runDir, skipped: false as const, ...result };
}

/** The store sync writes into, checked first after an unclean shutdown (core's shared check). */
function refuseDamagedTarget(root: string | undefined, dirs: readonly string[]): void {
  const storeRoot = root ?? (dirs[0] === undefined ? undefined : defaultStoreRoot(dirs[0]));
  if (storeRoot !== undefined) refuseDamagedStore(storeRoot);
}

function rebuild(root: string, json: boolean, out: (line: string) => void): number {
  const result = rebuildStore(root);
  if (json)
    out(
      JSON.stringify({ ...result, failed: result.failed.map((f) => ({ runDir: f.runDir, code: f.error.code, message: f.error.message })) }),
    );
  else {
    if (result.keptAs !== undefined) out(`kept the previous store as ${result.keptAs}`);
    const records = result.runs.reduce((sum, run) => sum + run.applied, 0);
    out(`rebuilt ${result.path} from ${result.runs.length} run(s): ${records} records`);
    for (const run of result.runs) for (const range of run.damaged) out(`  warning [LOG_CORRUPT]: ${describeDamage(range)}`);
    if (result.artifacts === "copied") out("carried the artifact registry over from the previous store");
    if (result.artifacts === "lost")
      out("warning: the artifact registry could not be read from the previous store; artifacts must be logged again");
  }
  const damaged = result.runs.some((run) => run.damaged.length > 0);
  if (result.failed.length > 0 || damaged) {
    throw new RunlogError(
      result.failed.length > 0 ? "STORE_ERROR" : "LOG_CORRUPT",
      `the store was rebuilt, but ${result.failed.length > 0 ? `${result.failed.length} run(s) could not be replayed:\n  ${result.failed.map((f) => `${f.runDir}: ${f.error.message}`).join("\n  ")}` : "some logs are damaged (listed above; their other records are in the store)"}.`,
    );
  }
  return 0;
}

export async function syncCommand(args: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      all: { type: "boolean" },
      rebuild: { type: "boolean" },
      dir: { type: "string" },
      server: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(SYNC_HELP);
    return 0;
  }
  const root = resolveRoot(values.dir);
  if (values.rebuild) return rebuild(root, values.json === true, out);
  let dirs = positionals;
  if (values.all) {
    dirs = listRunFolders(root).map((folder) => folder.dir);
    if (dirs.length === 0) {
      err(
        `runlog sync: warning: no run folders in ${join(root, "runs")}; nothing to sync. Pass --dir <root> (the folder holding runs/) or set RUNLOG_DIR.`,
      );
      return 0;
    }
  }
  if (dirs.length === 0) throw new UsageError("name the run folders to sync, or pass --all");
  if (values.server === undefined) refuseDamagedTarget(values.all || values.dir ? root : undefined, dirs);
  const server = values.server;
  if (server !== undefined) {
    const client = new IngestClient(server, process.env.RUNLOG_API_KEY);
    for (const dir of dirs) {
      if (listRunLogs(dir).length === 0) continue;
      const result = await uploadOne(resolve(dir), client, server);
      if (values.json) out(JSON.stringify(result));
      else if (result.skipped) out(`${result.runDir}: already uploaded to ${server}, unchanged`);
      else
        out(
          `uploaded ${result.runDir}: ${result.records} records from ${result.files} log file(s); the server holds up to seq ${result.appliedSeq}${result.artifacts.logged + result.artifacts.used > 0 ? `; artifacts: ${result.artifacts.logged} logged, ${result.artifacts.used} used` : ""}`,
        );
    }
    return 0;
  }
  const failed: string[] = [];
  const errors: RunlogError[] = [];
  let damagedRuns = 0;
  // Shown once syncing passes a second (runs done, rate, time left); --json output stays clean of it.
  const progress = values.json ? undefined : progressReporter("sync", process.stderr, "runs");
  let done = 0;
  for (const dir of dirs) {
    progress?.update({ filesDone: done, filesTotal: dirs.length, bytesDone: 0 });
    done++;
    let result: SyncResult & { artifacts?: { logged: number; used: number } };
    try {
      result = syncRunDir(dir, values.all || values.dir ? { root } : {});
      // An offline run's artifacts go into the same store, with the run as producer and consumer.
      const address = readRunAddress(result.runDir);
      if (address !== undefined) {
        const runPath = `${address.entity}/${address.project}/${address.id}`;
        const artifacts = await syncOfflineArtifacts(
          result.runDir,
          runPath,
          values.all || values.dir ? root : defaultStoreRoot(result.runDir),
        );
        if (artifacts.logged + artifacts.used > 0) result = { ...result, artifacts };
      }
    } catch (error) {
      // One bad run does not stop the others; they are listed at the end.
      if (!RunlogError.isInstance(error)) throw error;
      failed.push(`${dir}: ${error.message} [${error.code}]`);
      errors.push(error);
      if (values.json) out(JSON.stringify({ runDir: resolve(dir), error: { code: error.code, message: error.message } }));
      continue;
    }
    if (result.damaged.length > 0) damagedRuns++;
    progress?.clear();
    if (values.json) out(JSON.stringify(result));
    else {
      const torn = result.tornBytes > 0 ? `, ignored ${result.tornBytes} torn bytes at the end of a log` : "";
      const artifacts =
        result.artifacts === undefined ? "" : `; artifacts: ${result.artifacts.logged} logged, ${result.artifacts.used} used`;
      out(
        `synced ${result.runDir}: ${result.applied} new of ${result.records} records from ${result.files} log file(s)${torn}${artifacts}`,
      );
      for (const range of result.damaged) out(`  warning [LOG_CORRUPT]: ${describeDamage(range)}`);
    }
  }
  progress?.done({ filesDone: done, filesTotal: dirs.length, bytesDone: 0 });
  if (dirs.length === 1 && errors[0] !== undefined) throw errors[0];
  if (failed.length > 0) {
    throw new RunlogError(
      failed.every((line) => line.endsWith("[LOG_CORRUPT]")) ? "LOG_CORRUPT" : "STORE_ERROR",
      `${failed.length} of ${dirs.length} run(s) could not be synced (the others were):\n  ${failed.join("\n  ")}\nRun \`runlog doctor\` for what to do.`,
    );
  }
  if (damagedRuns > 0) {
    throw new RunlogError(
      "LOG_CORRUPT",
      `${damagedRuns} run(s) have damaged transaction logs: every intact record was synced, the damaged ranges listed above are lost.`,
    );
  }
  return 0;
}
