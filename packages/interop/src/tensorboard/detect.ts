import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { RunlogError } from "@runlog/core";

export interface TensorboardRunFiles {
  /** The run folder relative to the log dir ("." for the log dir itself), as TensorBoard names runs. */
  readonly name: string;
  /** Event files, oldest first (their names carry the writer's start time). */
  readonly files: readonly string[];
}

const EVENT_FILE = /^events\.out\.tfevents\./;

/** The runs under a TensorBoard log dir: every folder holding event files is one run (as in TensorBoard). */
export function findTensorboardRuns(path: string): TensorboardRunFiles[] {
  const target = resolve(path);
  if (!existsSync(target))
    throw new RunlogError("INVALID_ARGUMENT", `${target} does not exist: pass a TensorBoard log dir or an events.out.tfevents.* file.`);
  if (statSync(target).isFile()) return [{ name: basename(dirname(target)), files: [target] }];
  const runs: TensorboardRunFiles[] = [];
  const visit = (dir: string) => {
    const names = readdirSync(dir).sort();
    const files = names.filter((name) => EVENT_FILE.test(name)).map((name) => join(dir, name));
    if (files.length > 0) runs.push({ name: relative(target, dir) || ".", files: files.sort(byStartTime) });
    for (const name of names) {
      const child = join(dir, name);
      if (!EVENT_FILE.test(name) && statSync(child).isDirectory()) visit(child);
    }
  };
  visit(target);
  if (runs.length === 0) throw new RunlogError("INVALID_ARGUMENT", `${target} holds no TensorBoard event file (events.out.tfevents.*).`);
  return runs;
}

/** `events.out.tfevents.<seconds>.<host>[.<pid>.<n>]`: by start time, then name. */
function byStartTime(a: string, b: string): number {
  const time = (file: string) => Number(/tfevents\.(\d+)/.exec(basename(file))?.[1] ?? 0);
  return time(a) - time(b) || a.localeCompare(b);
}
