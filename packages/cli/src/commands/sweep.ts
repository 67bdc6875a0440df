import { readFileSync } from "node:fs";
import { RunlogError, type SweepState, setSweepState, sweep } from "@runlog/core";
import type { Out } from "../command.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const SWEEP_HELP = `Usage: runlog sweep <config.yaml|config.json> [--project P] [--entity E]
       runlog sweep --pause|--resume|--stop|--cancel <[entity/project/]id>

  Creates a sweep from W&B's sweep config and prints its id on stdout; run trials with
  \`runlog agent <id>\` (any number of agents, on this machine or sharing a team server:
  RUNLOG_MODE=online with RUNLOG_BASE_URL and RUNLOG_API_KEY).
  --pause / --resume   stop and restart handing out trials
  --stop               hand out no more trials; running ones end on their own
  --cancel             hand out no more trials and stop the running ones (agents SIGTERM them)
  --project P, --entity E   where the sweep lives (default: the config's, RUNLOG_PROJECT, uncategorized)
  --dir DIR            the runlog root (default RUNLOG_DIR or ./runlog)`;

const CONTROLS: Record<string, SweepState> = { pause: "paused", resume: "running", stop: "stopped", cancel: "cancelled" };

export async function sweepCommand(args: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: "string" },
      entity: { type: "string" },
      dir: { type: "string" },
      pause: { type: "boolean" },
      resume: { type: "boolean" },
      stop: { type: "boolean" },
      cancel: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(SWEEP_HELP);
    return 0;
  }
  const controls = Object.keys(CONTROLS).filter((name) => values[name as keyof typeof values] === true);
  if (controls.length > 1) throw new UsageError(`pass one of --${controls.join(", --")}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const [target] = positionals;
  const dir = resolveRoot(values.dir);
  const scope = { ...(values.project ? { project: values.project } : {}), ...(values.entity ? { entity: values.entity } : {}) };
  if (controls.length === 1) {
    if (target === undefined) throw new UsageError(`--${controls[0]} needs the sweep's id`);
    const updated = await setSweepState(target, CONTROLS[controls[0] as string] as SweepState, { dir, ...scope });
    err(`runlog sweep: ${updated.entity}/${updated.project}/${updated.id} is ${updated.state}.`);
    return 0;
  }
  if (target === undefined) throw new UsageError("say which sweep config to create a sweep from (a YAML or JSON file)");
  let text: string;
  try {
    text = readFileSync(target, "utf8");
  } catch (error) {
    throw new RunlogError("INVALID_ARGUMENT", `Cannot read the sweep config ${target}: ${(error as Error).message}`);
  }
  const id = await sweep(text, { dir, fileName: target, ...scope });
  out(id);
  err(`runlog sweep: created sweep ${id}; run trials with \`runlog agent ${id}${values.dir ? ` --dir ${values.dir}` : ""}\`.`);
  return 0;
}
