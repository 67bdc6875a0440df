import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { RunlogError } from "@runlog/core";

export interface WandbAttemptFile {
  /** The W&B run id (from `run-<id>.wandb`). */
  readonly runId: string;
  readonly file: string;
  /** The run folder's `files/`, when the file sits in a W&B run folder. */
  readonly filesDir: string | undefined;
}

const LOG_NAME = /^run-(.+)\.wandb$/;
const RUN_FOLDER = /^(offline-)?run-\d{8}_\d{6}-.+$/;

function filesDirOf(file: string): string | undefined {
  const dir = join(dirname(file), "files");
  return existsSync(dir) ? dir : undefined;
}

function logsIn(runFolder: string): WandbAttemptFile[] {
  return readdirSync(runFolder)
    .filter((name) => LOG_NAME.test(name))
    .map((name) => {
      const file = join(runFolder, name);
      return { runId: (LOG_NAME.exec(name) as RegExpExecArray)[1] as string, file, filesDir: filesDirOf(file) };
    });
}

/**
 * The `.wandb` files under `path`: a `.wandb` file, a W&B run folder (`offline-run-*` / `run-*`),
 * a `wandb/` folder of run folders, or a folder holding `wandb/`. Oldest attempt first: W&B names
 * run folders by start time, and a resumed run has one folder per attempt with the same id.
 */
export function findWandbLogs(path: string): WandbAttemptFile[] {
  const target = resolve(path);
  if (!existsSync(target))
    throw new RunlogError("INVALID_ARGUMENT", `${target} does not exist: pass a .wandb file, a W&B run folder or a wandb/ folder.`);
  if (statSync(target).isFile()) {
    const match = LOG_NAME.exec(basename(target));
    return [{ runId: match?.[1] ?? basename(target).replace(/\.wandb$/, ""), file: target, filesDir: filesDirOf(target) }];
  }
  const direct = logsIn(target);
  if (direct.length > 0) return direct;
  const inner = existsSync(join(target, "wandb")) && statSync(join(target, "wandb")).isDirectory() ? join(target, "wandb") : target;
  const folders = readdirSync(inner)
    .filter((name) => RUN_FOLDER.test(name) && statSync(join(inner, name)).isDirectory())
    .sort((a, b) => a.replace(/^offline-/, "").localeCompare(b.replace(/^offline-/, "")));
  const found = folders.flatMap((name) => logsIn(join(inner, name)));
  if (found.length === 0) {
    throw new RunlogError("INVALID_ARGUMENT", `${target} holds no W&B run (no run-<id>.wandb file, no offline-run-* or run-* folder).`);
  }
  return found;
}
