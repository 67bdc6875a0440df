import { agent } from "@runlog/core";
import type { Out } from "../command.js";
import { resolveRoot } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const AGENT_HELP = `Usage: runlog agent <[entity/project/]id> [--count N] [--project P] [--entity E]

  Runs the sweep's program once per trial (W&B's command macros; RUNLOG_SWEEP_ID, RUNLOG_RUN_ID,
  RUNLOG_SWEEP_PARAM_PATH and their WANDB_* names set), until the sweep is done or N trials ran.
  Trials that early termination or --cancel stops get SIGTERM, then SIGKILL after 30 s
  (RUNLOG_AGENT_STOP_GRACE_SECONDS). Gives up after 5 failed trials in a row at the start
  (RUNLOG_AGENT_MAX_INITIAL_FAILURES) or 3 failures within 60 s, as W&B's agent does.
  With RUNLOG_MODE=online the sweep lives on the team server (RUNLOG_BASE_URL, RUNLOG_API_KEY),
  shared by agents on every host.
  --dir DIR   the runlog root (default RUNLOG_DIR or ./runlog)`;

export async function agentCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      count: { type: "string" },
      project: { type: "string" },
      entity: { type: "string" },
      dir: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    out(AGENT_HELP);
    return 0;
  }
  const [id, extra] = positionals;
  if (id === undefined) throw new UsageError("say which sweep to run trials of: runlog agent <id>");
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const count = values.count === undefined ? undefined : Number(values.count);
  if (count !== undefined && !(Number.isInteger(count) && count >= 1)) throw new UsageError("--count needs a whole number ≥ 1");
  await agent(id, {
    dir: resolveRoot(values.dir),
    ...(count === undefined ? {} : { count }),
    ...(values.project ? { project: values.project } : {}),
    ...(values.entity ? { entity: values.entity } : {}),
  });
  return 0;
}
