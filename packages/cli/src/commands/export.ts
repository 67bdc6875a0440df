import type { Out } from "../command.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const EXPORT_HELP = `Usage: runlog export <entity/project/id> --format csv|jsonl [--out DIR] [--keys k1,k2] [--dir ./runlog]

Writes a run's history as <id>.csv (one column per key, _step first) or <id>.jsonl (one JSON
object per row) into --out (default: the working directory).

  --format F     csv or jsonl
  --out DIR      the folder to write into
  --keys K,...   only these history keys
  --dir DIR      the runlog root (default RUNLOG_DIR or ./runlog)`;

export async function exportCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: "string" },
      out: { type: "string" },
      keys: { type: "string" },
      dir: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(EXPORT_HELP);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined || extra.length > 0) throw new UsageError("pass one run as entity/project/id");
  if (values.format !== "csv" && values.format !== "jsonl") throw new UsageError("--format must be csv or jsonl");
  const { exportHistory } = await import("@runlog/interop");
  const file = await exportHistory(path, values.format, {
    ...(values.dir === undefined ? {} : { dir: values.dir }),
    ...(values.out === undefined ? {} : { out: values.out }),
    ...(values.keys === undefined ? {} : { keys: values.keys.split(",").filter((key) => key !== "") }),
  });
  out(file);
  return 0;
}
