import { RunlogError } from "@runlog/core";

/**
 * A trial's `init()` from a client: core's init reads the trial (sweep id, parameters file) from
 * the process environment, so the bridge sets the client's values for that one init. Every init
 * on this bridge goes through one queue, so no other client's init ever sees them.
 */
let queue: Promise<unknown> = Promise.resolve();

const KEYS = { id: "RUNLOG_SWEEP_ID", param_path: "RUNLOG_SWEEP_PARAM_PATH" } as const;

export function initOneAtATime<T>(sweep: unknown, start: () => Promise<T>): Promise<T> {
  const trial = trialOf(sweep);
  const turn = queue.then(async () => {
    const saved = { id: process.env[KEYS.id], param_path: process.env[KEYS.param_path] };
    for (const key of ["id", "param_path"] as const) {
      if (trial?.[key] !== undefined) process.env[KEYS[key]] = trial[key];
      else delete process.env[KEYS[key]];
    }
    try {
      return await start();
    } finally {
      for (const key of ["id", "param_path"] as const) {
        if (saved[key] === undefined) delete process.env[KEYS[key]];
        else process.env[KEYS[key]] = saved[key];
      }
    }
  });
  queue = turn.catch(() => undefined);
  return turn;
}

function trialOf(sweep: unknown): { id: string; param_path?: string } | undefined {
  if (sweep === undefined || sweep === null) return undefined;
  const value = sweep as Record<string, unknown>;
  if (
    typeof sweep !== "object" ||
    typeof value.id !== "string" ||
    (value.param_path !== undefined && typeof value.param_path !== "string")
  ) {
    throw new RunlogError("INVALID_ARGUMENT", "init's sweep option must be a map {id, param_path?} of strings.");
  }
  return { id: value.id, ...(typeof value.param_path === "string" ? { param_path: value.param_path } : {}) };
}
