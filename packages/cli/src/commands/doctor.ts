import { join } from "node:path";
import { checkLogs, checkStore, describeDamage } from "@runlog/core/store-kit";
import type { Out } from "../command.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs } from "../usage.js";

export const DOCTOR_HELP = `Usage: runlog doctor [--dir ./runlog] [--json]

Checks a runlog root: the store (runlog.db: SQLite's integrity check and the checksum of every
stored series chunk and of every stored JSON value: config, summary, metadata, history rows, spans,
artifact manifests) and every run's transaction logs (damaged or torn frames). Says what to do
about anything it finds; exits 1 when something is damaged. Read-only.

  --dir DIR   the runlog root (default RUNLOG_DIR or ./runlog)
  --json      print the findings as one JSON object`;

export function doctorCommand(args: string[], out: Out): number {
  const { values } = parseCommandArgs({
    args,
    options: { dir: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    out(DOCTOR_HELP);
    return 0;
  }
  const root = resolveRoot(values.dir);
  const store = checkStore(join(root, "runlog.db"));
  const logs = checkLogs(root);
  const badLogs = logs.filter((log) => log.error !== undefined || log.damaged.length > 0);
  const healthy = store.problems.length === 0 && badLogs.length === 0;
  if (values.json) {
    out(JSON.stringify({ root, healthy, store, logs }));
    return healthy ? 0 : 1;
  }
  if (!store.exists) out(`store: ${store.path} does not exist yet (\`runlog sync --all\` builds it from the logs)`);
  else if (store.problems.length === 0) out(`store: ${store.path} is sound`);
  else {
    out(`store: ${store.path} is DAMAGED (${store.problems.length} problem(s)):`);
    for (const problem of store.problems.slice(0, 20)) out(`  ${problem}`);
    if (store.problems.length > 20) out(`  … and ${store.problems.length - 20} more`);
    out(
      `  fix: stop runs and dashboards using ${root}, then run \`runlog sync --rebuild --dir ${root}\`: it builds a fresh store from the transaction logs and keeps the damaged file aside.`,
    );
  }
  const torn = logs.filter((log) => log.tornBytes > 0).length;
  out(
    `logs: ${logs.length} transaction log(s) checked, ${badLogs.length} damaged${torn > 0 ? `, ${torn} with a torn tail (normal after a crash)` : ""}`,
  );
  for (const log of badLogs) {
    if (log.error !== undefined) out(`  ${log.file}: ${log.error}`);
    for (const range of log.damaged) out(`  ${describeDamage(range)}`);
  }
  if (badLogs.length > 0) {
    out("  the records in damaged ranges are lost; `runlog sync` applies every intact record around them.");
  }
  if (healthy) out("nothing to do.");
  return healthy ? 0 : 1;
}
