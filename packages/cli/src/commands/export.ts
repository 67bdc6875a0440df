import type { Out } from "../command.js";
import { parseCommandArgs, UsageError } from "../usage.js";

const FORMATS = ["parquet", "csv", "jsonl", "tfevents"] as const;

export const EXPORT_HELP = `Usage: runlog export <entity/project/id | entity/project> --format parquet|csv|jsonl|tfevents
                     [--out DIR] [--keys k1,k2] [--layout wide|long] [--summary] [--dir ./runlog]

Writes the history of a run, or of every run of a project, into --out (default: the working directory):
  parquet    one file (<id>.parquet or <project>.parquet) with a run_id column; --layout wide (a column
             per key, the default) or long (a row per step and key)
  csv        <id>.csv per run (one column per key, _step first)
  jsonl      <id>.jsonl per run (one JSON object per row)
  tfevents   <id>/events.out.tfevents.* per run, for tensorboard --logdir DIR
With --summary (a project, parquet or csv): <project>-summary.<format>, a row per run with its
config and summary flattened. Prints every file written.

  --format F     parquet, csv, jsonl or tfevents
  --out DIR      the folder to write into
  --keys K,...   only these history keys
  --layout L     parquet only: wide or long
  --summary      the project summary table instead of history
  --dir DIR      the runlog root (default RUNLOG_DIR or ./runlog)`;

export async function exportCommand(args: string[], out: Out, err: Out = () => {}): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string" },
      out: { type: "string" },
      keys: { type: "string" },
      layout: { type: "string" },
      summary: { type: "boolean" },
      dir: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(EXPORT_HELP);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) throw new UsageError("pass one run as entity/project/id or a project as entity/project");
  const format = FORMATS.find((name) => name === values.format);
  if (format === undefined) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  if (values.layout !== undefined && values.layout !== "wide" && values.layout !== "long")
    throw new UsageError("--layout must be wide or long");
  const { exportRuns } = await import("@runlog/interop");
  const result = await exportRuns(path, format, {
    ...(values.dir === undefined ? {} : { dir: values.dir }),
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.keys === undefined ? {} : { keys: values.keys.split(",").filter((key) => key !== "") }),
    ...(values.layout === undefined ? {} : { layout: values.layout }),
    ...(values.summary ? { summary: true } : {}),
  });
  for (const file of result.files) out(file);
  for (const [what, count] of Object.entries(result.skipped)) err(`left out ${count} ${what} (TensorBoard has no summary for them)`);
  return 0;
}
