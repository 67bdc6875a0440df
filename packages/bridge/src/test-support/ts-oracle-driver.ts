import { Api, init, type Run } from "@runlog/core";

// Plays the JSON form of the oracle corpus (python/tests/oracle/cases.json, ops listed in its
// README) on the TypeScript Run, and writes what each case produced in runner.py's result shape,
// so compare.py compares it with the real wandb's side exactly as it compares the Python client's.

export type Op = [string, ...unknown[]];
export interface Case {
  name: string;
  ops: Op[];
}
export interface StoredRun {
  history: Record<string, unknown>[];
  summary: Record<string, unknown>;
  config: Record<string, unknown>;
  exit_code: number | undefined;
}
export interface CaseResult {
  outcomes: unknown[];
  runs: StoredRun[];
}

/** TypeScript raises RunlogErrors (a code), not Python's classes: both sides record that a call raised. */
export const RAISED = "raised";

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelKeys = (kwargs: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries((kwargs ?? {}) as Record<string, unknown>).map(([k, v]) => [camel(k), v]));
/** W&B's alert wait_duration is seconds; the TS Run's waitDuration is milliseconds. */
const alertOptions = (kwargs: unknown) => {
  const options = camelKeys(kwargs);
  return typeof options.waitDuration === "number" ? { ...options, waitDuration: options.waitDuration * 1000 } : options;
};

/** Values as runner.py's `plain()` records them: NaN as "NaN", private keys dropped. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const source = typeof (value as { toJSON?: unknown }).toJSON === "function" ? (value as { toJSON(): unknown }).toJSON() : value;
    return Object.fromEntries(
      Object.entries(source as Record<string, unknown>)
        .filter(([k]) => !k.startsWith("_"))
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return typeof value === "number" && Number.isNaN(value) ? "NaN" : (value ?? null);
}

export async function playCase(ops: Op[], dir: string): Promise<CaseResult> {
  const outcomes: unknown[] = [];
  const started: Run[] = [];
  let run: Run | undefined;
  const attempt = async (fn: () => unknown) => {
    try {
      await fn();
      outcomes.push(null);
    } catch {
      outcomes.push(RAISED);
    }
  };
  const current = () => run as Run;
  for (const [name, ...args] of ops) {
    const [first, second] = args;
    switch (name) {
      case "init": {
        const before = run;
        await attempt(async () => {
          run = await init({ project: "oracle", dir, settings: { quiet: true, console: "off", disableStats: true }, ...camelKeys(first) });
        });
        if (run !== undefined && !started.includes(run)) started.push(run);
        if (before !== undefined) outcomes.push(["same_run", run === before]);
        break;
      }
      case "log":
        await attempt(() => current().log(first as never, camelKeys(second)));
        break;
      case "define_metric":
        await attempt(() => current().defineMetric(first as string, camelKeys(second)));
        break;
      case "config.update":
        await attempt(() => current().config.update(first as never, camelKeys(second)));
        break;
      case "config.set":
        await attempt(() => current().config.set(first as string, second));
        break;
      case "config.setattr":
        await attempt(() => {
          (current().config as unknown as Record<string, unknown>)[first as string] = second;
        });
        break;
      case "config.setdefaults":
        await attempt(() => current().config.setDefaults(first as never));
        break;
      case "summary.set":
        await attempt(() => current().summary.set(first as string, second));
        break;
      case "summary.update":
        await attempt(() => current().summary.update(first as never));
        break;
      case "summary.del":
        await attempt(() => current().summary.delete(first as string));
        break;
      case "alert":
        await attempt(() => current().alert(alertOptions(first) as never));
        break;
      case "set":
        await attempt(() => {
          (current() as unknown as Record<string, unknown>)[camel(first as string)] = second;
        });
        break;
      case "check": {
        if (run === undefined) {
          outcomes.push(RAISED); // as runner.py's `getattr(None, …)` would
          break;
        }
        const what = first as string;
        const target = current() as unknown as Record<string, unknown>;
        outcomes.push([what, plain(what === "summary" || what === "config" ? target[what] : target[camel(what)])]);
        break;
      }
      case "finish":
        await attempt(() => current().finish(camelKeys(first)));
        break;
      default:
        throw new Error(`unknown op ${name}`); // a corpus the driver does not know: the test must fail
    }
  }
  for (const each of started) await each.finish(); // as runner.py finishes the active run
  const api = new Api({ dir });
  try {
    const runs: StoredRun[] = [];
    for (const each of started) {
      const stored = await api.run(each.path);
      const history: Record<string, unknown>[] = [];
      for await (const row of stored.scanHistory()) history.push(row);
      runs.push({ history, summary: stored.summary, config: stored.config, exit_code: stored.exitCode });
    }
    return { outcomes, runs };
  } finally {
    api.close();
  }
}
