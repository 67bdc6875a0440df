import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { IngestClient, RunlogError, type SyncResult, syncRunDir, uploadRunDir } from "@runlog/core";
import { listRunLogs } from "@runlog/core/store-kit";
import type { Out } from "../main.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const SYNC_HELP = `Usage: runlog sync <run-dir>... [--server URL] [--json]
       runlog sync --all [--dir ./runlog] [--server URL] [--json]

Replays runs' transaction logs into the embedded store, or uploads them to a runlog server
with --server (a write key from RUNLOG_API_KEY): offline runs, runs a crash left
half-saved, online runs whose finish() timed out. Safe to repeat: records already stored are
skipped, and a run already uploaded unchanged to that server is not sent again.

  --all          sync every run folder under <dir>/runs
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

export async function syncCommand(args: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      all: { type: "boolean" },
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
  let dirs = positionals;
  if (values.all) {
    const runs = join(root, "runs");
    dirs = existsSync(runs) ? readdirSync(runs).map((name) => join(runs, name)) : [];
    if (dirs.length === 0) {
      err(
        `runlog sync: warning: no run folders in ${runs}; nothing to sync. Pass --dir <root> (the folder holding runs/) or set RUNLOG_DIR.`,
      );
      return 0;
    }
  }
  if (dirs.length === 0) throw new UsageError("name the run folders to sync, or pass --all");
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
          `uploaded ${result.runDir}: ${result.records} records from ${result.files} log file(s); the server holds up to seq ${result.appliedSeq}`,
        );
    }
    return 0;
  }
  for (const dir of dirs) {
    const result: SyncResult = syncRunDir(dir, values.all || values.dir ? { root } : {});
    if (values.json) out(JSON.stringify(result));
    else {
      const torn = result.tornBytes > 0 ? `, ignored ${result.tornBytes} torn bytes at the end of a log` : "";
      out(`synced ${result.runDir}: ${result.applied} new of ${result.records} records from ${result.files} log file(s)${torn}`);
    }
  }
  return 0;
}
