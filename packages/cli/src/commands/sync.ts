import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { RunlogError, type SyncResult, syncRunDir } from "@runlog/core";

export const SYNC_HELP = `Usage: runlog sync <run-dir>... [--json]
       runlog sync --all [--dir ./runlog] [--json]

Replays runs' transaction logs into the embedded store: offline runs, and runs a crash
left half-saved. Safe to repeat: records already in the store are skipped.

  --all        sync every run folder under <dir>/runs
  --dir DIR    the runlog root (default RUNLOG_DIR or ./runlog)
  --json       print one JSON object per run`;

export function syncCommand(args: string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { all: { type: "boolean" }, dir: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(SYNC_HELP);
    return 0;
  }
  const root = resolve(values.dir ?? process.env.RUNLOG_DIR ?? "./runlog");
  let dirs = positionals;
  if (values.all) {
    const runs = join(root, "runs");
    dirs = existsSync(runs) ? readdirSync(runs).map((name) => join(runs, name)) : [];
  }
  if (dirs.length === 0) throw new RunlogError("INVALID_ARGUMENT", `Nothing to sync: name run folders or pass --all.\n\n${SYNC_HELP}`);
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
