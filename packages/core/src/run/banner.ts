import { relative, resolve } from "node:path";
import type { RunState } from "../pipeline/records.js";
import type { Run } from "./run.js";

// What a run says about itself on stderr, once at init and once at finish (W&B's banner, shorter):
// where it is stored and how to look at it. RUNLOG_SILENT=true (or W&B's WANDB_SILENT) or the quiet
// setting turns both off.

export interface BannerContext {
  /** The runlog root (holds runlog.db and runs/). */
  readonly root: string;
  /** The run's own folder (its transaction logs). */
  readonly runDir: string;
  /** The team server of an online run. */
  readonly server?: string;
  readonly write: (message: string) => void;
}

export function silenced(run: Run, quiet = run.settings.quiet): boolean {
  // W&B's own name works too (a script moved over keeps its environment); RUNLOG_SILENT wins when set.
  const env = (process.env.RUNLOG_SILENT || process.env.WANDB_SILENT)?.toLowerCase();
  return quiet || env === "true" || env === "1";
}

/** A path as the user would type it from here: relative when below the working folder. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/") ? `./${rel}` : path;
}

/** `npx runlog ui`, with --dir unless the root is the default ./runlog. */
function uiCommand(root: string): string {
  return resolve(root) === resolve("./runlog") ? "npx runlog ui" : `npx runlog ui --dir ${shown(root)}`;
}

export function printStartBanner(run: Run, context: BannerContext): void {
  if (silenced(run)) return;
  const what = `run "${run.name}" (${run.path})`;
  if (run.offline) {
    context.write(
      `offline ${what}, saved in ${shown(context.runDir)}; after it finishes, \`npx runlog sync ${shown(context.runDir)}\` adds it to the store.`,
    );
  } else if (context.server !== undefined) {
    context.write(`logging ${what} to ${context.server}${run.url ? `: ${run.url}` : ""}`);
  } else {
    context.write(`logging ${what} to ${shown(context.root)}`);
    context.write(`watch it live: \`${uiCommand(context.root)}\` → ${run.url}`);
  }
}

function formatValue(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string" && value.length <= 40) return value;
  return undefined;
}

/** The last values of up to five scalar metrics, the ones a user reads first. */
function finalMetrics(run: Run): string {
  const summary = run.summary.toJSON();
  const shownValues: string[] = [];
  const keys = Object.keys(summary).filter((key) => !key.startsWith("_") && !key.startsWith("system/"));
  for (const key of keys) {
    const value = formatValue(summary[key]);
    if (value !== undefined && shownValues.length < 5) shownValues.push(`${key} ${value}`);
  }
  const more = keys.length - shownValues.length;
  return shownValues.length === 0 ? "" : `: ${shownValues.join(", ")}${more > 0 ? ` (+${more} more in the summary)` : ""}`;
}

export function printFinishSummary(run: Run, context: BannerContext & { state: RunState; runtimeSeconds: number; quiet: boolean }): void {
  if (silenced(run, context.quiet)) return;
  const steps = run.step;
  context.write(
    `run "${run.name}" ${context.state} after ${context.runtimeSeconds.toFixed(1)} s, ${steps.toLocaleString("en-US")} step${steps === 1 ? "" : "s"}${finalMetrics(run)}`,
  );
  if (run.offline) {
    context.write(
      `offline: saved in ${shown(context.runDir)}; add it to the store with \`npx runlog sync ${shown(context.runDir)}\` (or upload it with --server URL).`,
    );
  } else if (context.server !== undefined) {
    context.write(`saved on ${context.server}${run.url ? `: ${run.url}` : ""}`);
  } else {
    context.write(
      `saved in ${shown(context.root)}; look at it with \`${uiCommand(context.root)}\` → ${run.url} (or \`npx runlog runs show ${run.path}\`)`,
    );
  }
}
