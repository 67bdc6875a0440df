import { RunlogError } from "../errors.js";
import { parseSweepConfig, parseSweepConfigText, type SweepConfig } from "./engine/index.js";
import { openSweepBackend, type SweepStoreOptions } from "./open-backend.js";
import { sweepScope } from "./scope.js";

export interface SweepOptions extends SweepStoreOptions {
  readonly project?: string;
  readonly entity?: string;
  /** Where YAML/JSON text came from (named in errors). */
  readonly fileName?: string;
}

/**
 * Creates a sweep from W&B's sweep config (an object, or YAML/JSON text) and returns its id.
 * Its project is `project`, else the config's, else RUNLOG_PROJECT, as in W&B.
 */
export async function sweep(config: unknown, options: SweepOptions = {}): Promise<string> {
  if (typeof options !== "object" || options === null)
    throw new RunlogError("INVALID_ARGUMENT", "sweep(config, options): options must be an object.");
  const parsed: SweepConfig = typeof config === "string" ? parseSweepConfigText(config, options.fileName) : parseSweepConfig(config);
  const scope = sweepScope({ entity: options.entity ?? parsed.entity, project: options.project ?? parsed.project });
  const backend = openSweepBackend(options);
  try {
    return (await backend.createSweep({ ...scope, config: parsed })).id;
  } finally {
    backend.close();
  }
}
