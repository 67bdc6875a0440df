import { Api, encodeJson, RunlogError } from "@runlog/core";
import type { Out } from "../command.js";
import { storeToRead } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";
import { runPage, runsTable } from "./run-views.js";

export const RUNS_HELP = `Usage: runlog runs ls [<entity>/]<project> [--state S] [--order -createdAt] [--json]
       runlog runs show <[entity/]project/id> [--json]

  ls     lists a project's runs (newest first): id, name, state, runtime, created, summary values
  show   prints one run as a page: config, summary, metrics with sparklines and last values,
         alerts, artifacts (--json: everything, metadata included, as one JSON object)

  --json      one JSON object per run (ls) or one for the run (show), the team server's JSON:
              NaN, ±Infinity and big integers arrive tagged ({"__runlog_bigint": "…"})
  --dir DIR   the runlog root (default RUNLOG_DIR or ./runlog)`;

export async function runsCommand(args: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
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
  if (values.help) {
    out(RUNS_HELP);
    return 0;
  }
  if (action === undefined) throw new UsageError("say what to do: ls <project> or show <project/id>");
  if (action !== "ls" && action !== "show") throw new UsageError(`unknown action "${action.slice(0, 40)}": use ls or show`);
  if (path === undefined)
    throw new UsageError(
      action === "ls"
        ? "runs ls needs a project, such as my-project or entity/my-project"
        : "runs show needs a run path, such as my-project/<id>",
    );
  const store = storeToRead(values.dir, err, "runs");
  if (!store.exists) {
    if (action === "show") throw new RunlogError("RUN_NOT_FOUND", `Run ${path} was not found: there is no store in ${store.root}.`);
    out(`no runs in ${path}`);
    return 0;
  }
  const api = new Api({ dir: store.root });
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
      else for (const line of runsTable(runs)) out(line);
      return 0;
    }
    if (action === "show") {
      const run = await api.run(path);
      if (!values.json) {
        for (const line of await runPage(run)) out(line);
        return 0;
      }
      const details = {
        ...run.toJSON(),
        historyKeys: await run.historyKeys(),
        alerts: await run.alerts(),
        loggedArtifacts: (await run.loggedArtifacts()).map((a) => a.qualifiedName),
        usedArtifacts: (await run.usedArtifacts()).map((a) => a.qualifiedName),
      };
      out(encodeJson(details));
    }
    return 0;
  } finally {
    api.close();
  }
}
