import type { Out } from "../command.js";
import { progressReporter } from "../progress.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const IMPORT_HELP = `Usage: runlog import wandb|tensorboard|mlflow <path> [--project P] [--entity E] [--dir ./runlog] [--json]

Imports runs of another tracker into the runlog store, with no server:
  wandb        a wandb/ folder, an offline-run-*/run-* folder or a .wandb file
  tensorboard  a log dir of events.out.tfevents.* files (each folder with event files is a run)
  mlflow       an mlruns/ file store, an MLflow SQLite database (mlflow.db) or a sqlite:///… URI
Safe to repeat: importing the same files again adds nothing, and rows a source gained at its end are
added. Rows that appeared in the middle of what was imported are skipped, with a warning naming the run.
What Runlog has no place for is listed.

  --project P    put every run in project P (default: the source's project, the log dir's name or the MLflow experiment's name)
  --entity E     the runs' entity (default RUNLOG_ENTITY or the user name)
  --dir DIR      the runlog root (default RUNLOG_DIR or ./runlog)
  --json         print the import report as JSON`;

const KINDS = ["wandb", "tensorboard", "mlflow"] as const;

export async function importCommand(args: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: "string" },
      entity: { type: "string" },
      dir: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(IMPORT_HELP);
    return 0;
  }
  const [kind, path, ...extra] = positionals;
  if (kind === undefined || !(KINDS as readonly string[]).includes(kind))
    throw new UsageError(`the first argument is the source kind: ${KINDS.join(" or ")}`);
  if (path === undefined) throw new UsageError(`runlog import ${kind} needs a path`);
  if (extra.length > 0) throw new UsageError(`one path at a time, got also ${extra.join(" ")}`);
  const { importRuns } = await import("@runlog/interop");
  const progress = progressReporter(`import ${kind}`);
  const files = new Set<string>();
  let finished = 0;
  let bytes = 0;
  let bytesTotal = 0;
  const report = await importRuns(kind as (typeof KINDS)[number], path, {
    ...(values.dir === undefined ? {} : { dir: values.dir }),
    ...(values.entity === undefined ? {} : { entity: values.entity }),
    ...(values.project === undefined ? {} : { project: values.project }),
    onProgress: ({ file, done, total }) => {
      if (!files.has(file)) bytesTotal += total; // the files seen so far, as filesTotal counts them
      files.add(file);
      if (done === total) {
        finished++;
        bytes += total;
      }
      progress.update({ filesDone: finished, filesTotal: files.size, bytesDone: bytes + (done === total ? 0 : done), bytesTotal });
    },
  });
  progress.done({ filesDone: finished, filesTotal: files.size, bytesDone: bytes, bytesTotal });
  for (const warning of report.warnings) err(`runlog import: warning: ${warning}`);
  if (values.json) {
    out(JSON.stringify(report));
    return 0;
  }
  for (const run of report.runs) {
    out(
      `${run.entity}/${run.project}/${run.id}: ${run.applied === 0 ? "already imported" : `${run.applied} records, ${run.points} points`}`,
    );
  }
  for (const [what, count] of Object.entries(report.unmapped)) out(`not imported: ${what} (${count})`);
  return 0;
}
