import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api, encodeJson, RunlogError } from "@runlog/core";

export const RUNS_HELP = `Usage: runlog runs ls [<entity>/]<project> [--state S] [--order -createdAt] [--json]
       runlog runs show <[entity/]project/id> [--json]

  ls     lists a project's runs (newest first): id, name, state, runtime, summary keys
  show   prints one run: config, summary, metadata, history keys, alerts, artifacts

  --json      one JSON object per run (ls) or one for the run (show), the team server's JSON:
              NaN, ±Infinity and big integers arrive tagged ({"__runlog_bigint": "…"})
  --dir DIR   the runlog root (default RUNLOG_DIR or ./runlog)`;

export async function runsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: "string" },
      json: { type: "boolean" },
      state: { type: "string" },
      order: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [action, path] = positionals;
  if (values.help || action === undefined) {
    out(RUNS_HELP);
    return values.help ? 0 : 2;
  }
  if (path === undefined) throw new RunlogError("INVALID_ARGUMENT", `runs ${action} needs a path.\n\n${RUNS_HELP}`);
  const api = new Api({ dir: resolve(values.dir ?? process.env.RUNLOG_DIR ?? "./runlog") });
  try {
    if (action === "ls") {
      const runs = await api.runs(path, {
        ...(values.state ? { filters: { state: values.state } } : {}),
        ...(values.order ? { order: values.order } : {}),
      });
      if (values.json)
        for (const run of runs)
          out(
            encodeJson({
              id: run.id,
              name: run.name,
              state: run.state,
              createdAt: run.createdAt,
              runtime: run.runtime,
              summary: run.summary,
            }),
          );
      else if (runs.length === 0) out(`no runs in ${path}`);
      else
        for (const run of runs)
          out(
            `${run.id.padEnd(10)} ${run.name.padEnd(24)} ${run.state.padEnd(10)} ${`${run.runtime.toFixed(1)} s`.padStart(9)}  ${new Date(run.createdAt * 1000).toISOString()}`,
          );
      return 0;
    }
    if (action === "show") {
      const run = await api.run(path);
      const details = {
        ...run.toJSON(),
        historyKeys: await run.historyKeys(),
        alerts: await run.alerts(),
        loggedArtifacts: (await run.loggedArtifacts()).map((a) => a.qualifiedName),
        usedArtifacts: (await run.usedArtifacts()).map((a) => a.qualifiedName),
      };
      out(encodeJson(details, values.json ? undefined : 2));
      return 0;
    }
    throw new RunlogError("INVALID_ARGUMENT", `Unknown runs action "${action}".\n\n${RUNS_HELP}`);
  } finally {
    api.close();
  }
}
