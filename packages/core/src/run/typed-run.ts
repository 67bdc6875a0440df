import type { Config } from "./config.js";
import type { Run } from "./run.js";
import type { InitOptions } from "./run-options.js";

/** init()'s options with the config's own type, so `init<C>()` can infer C from `{ config }`. */
export type TypedInitOptions<C extends object> = Omit<InitOptions, "config"> & { config?: C };

/**
 * A run whose `config` is typed from the config given to `init()`: `run.config.lr` is a number
 * when `init({ config: { lr: 0.01 } })` started it. Keys added later stay `unknown`.
 */
export type TypedRun<C extends object = Record<string, unknown>> = Run & { readonly config: Config & C };
