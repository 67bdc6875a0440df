import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { Api, type ApiRun, describeValue, RunlogError } from "@runlog/core";

export interface ExportTargetOptions {
  /** The runlog root (default RUNLOG_DIR, else ./runlog). */
  readonly dir?: string;
  /** Folder the files are written to (default: the working directory); made when missing. */
  readonly out?: string;
  /** Only these history keys (`_step`, `_timestamp` and `_runtime` are always written). */
  readonly keys?: readonly string[];
}

export interface ExportTarget {
  /** "run" for `entity/project/id`, "project" for `entity/project`. */
  readonly kind: "run" | "project";
  /** The run id, or the project name: the name of a per-project file. */
  readonly name: string;
  readonly runs: readonly ApiRun[];
}

/** `entity/project/id` is one run, `entity/project` every run of the project (oldest first). */
export async function resolveExportTarget(path: unknown, options: ExportTargetOptions): Promise<ExportTarget> {
  if (typeof path !== "string" || !/^[^/]+\/[^/]+(\/[^/]+)?$/.test(path))
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Export a run as "entity/project/id" or a project as "entity/project", got ${describeValue(path)}.`,
    );
  const api = new Api(options.dir === undefined ? {} : { dir: options.dir });
  const parts = path.split("/");
  if (parts.length === 3) {
    const run = await api.run(path);
    return { kind: "run", name: run.id, runs: [run] };
  }
  const runs = await api.runs(path, { order: "createdAt" });
  if (runs.length === 0) throw new RunlogError("RUN_NOT_FOUND", `Project ${path} has no runs to export.`);
  return { kind: "project", name: parts[1] as string, runs };
}

/** The output folder, made when missing; a path that exists and is not a folder is refused. */
export function outputFolder(out: string | undefined): string {
  const folder = resolve(out ?? ".");
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw exportFailed(folder, error);
  }
  if (!statSync(folder).isDirectory()) throw exportFailed(folder, new Error("it is not a folder"));
  return folder;
}

export function exportFailed(path: string, cause: unknown): RunlogError {
  const why = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
  return new RunlogError("EXPORT_FAILED", `Cannot write the export to ${path} (${why}): pass --out a folder you can write to.`, {
    cause,
    details: { path },
  });
}

/** Checks `keys` (an array of non-empty strings) before any file is made. */
export function checkKeys(keys: unknown): readonly string[] | undefined {
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== "string" || key === ""))
    throw new RunlogError("INVALID_ARGUMENT", `keys must be a non-empty array of history key names, got ${describeValue(keys)}.`);
  return keys;
}

/** Rows of a run in step order, only `keys` (plus `_step`, `_timestamp`, `_runtime`) when given. */
export function rowsOf(run: ApiRun, keys: readonly string[] | undefined) {
  return keys === undefined ? run.scanHistory() : run.scanHistory({ keys });
}
