import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { RunlogError } from "../errors.js";

/**
 * Creates folder `path` and its missing parents, or throws a RunlogError that says why not.
 * Not `mkdirSync({ recursive: true })`: where mkdir answers ENOENT under a parent that exists
 * (/proc, /sys), Node's recursive mkdir retries forever. Here each level is tried once.
 * `what` names the folder in messages ("the runlog folder").
 */
export function ensureDir(path: string, what: string): string {
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info !== undefined) {
      if (!info.isDirectory()) {
        const where = dir === target ? "" : ` (${dir} is in its path)`;
        throw new RunlogError(
          "INVALID_ARGUMENT",
          `Cannot use ${target} as ${what}: ${dir} is a file, not a folder${where}. Choose a folder.`,
        );
      }
      break;
    }
    missing.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" && statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue; // made meanwhile
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `Cannot create ${what} ${target}: mkdir ${dir} failed (${code ?? (error as Error).message}). Choose a folder you can write to.`,
        { cause: error },
      );
    }
  }
  return target;
}
