import { userInfo } from "node:os";
import { RunlogError } from "@runlog/core";
import { storeRoot } from "@runlog/core/store-kit";

export interface ImportOptions {
  /** The runlog root to import into (default RUNLOG_DIR, else ./runlog). */
  readonly dir?: string;
  /** Entity of the imported runs (default RUNLOG_ENTITY, else the user name). */
  readonly entity?: string;
  /** Project of every imported run (default: the source's own project, else "imported"). */
  readonly project?: string;
  /** Called as records are read: `done` source bytes of `total`. */
  readonly onProgress?: (progress: { readonly file: string; readonly done: number; readonly total: number }) => void;
}

export interface ResolvedImportOptions {
  readonly root: string;
  readonly entity: string;
  readonly project: string | undefined;
  readonly onProgress: NonNullable<ImportOptions["onProgress"]>;
}

const OPTION_NAMES = new Set(["dir", "entity", "project", "onProgress"]);

export function resolveImportOptions(options: ImportOptions | undefined): ResolvedImportOptions {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new RunlogError("INVALID_ARGUMENT", "Import options must be an object like { dir, entity, project }.");
  }
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_NAMES.has(key))
      throw new RunlogError("INVALID_ARGUMENT", `Unknown import option "${key}". Known options: ${[...OPTION_NAMES].join(", ")}.`);
  }
  return {
    root: storeRoot(options?.dir),
    entity: options?.entity ?? (process.env.RUNLOG_ENTITY || defaultUser()),
    project: options?.project,
    onProgress: options?.onProgress ?? (() => {}),
  };
}

function defaultUser(): string {
  try {
    return userInfo().username || "local";
  } catch {
    return "local";
  }
}

/** Run ids and names of other tools may hold characters Runlog's ids refuse: keep [A-Za-z0-9_.-], replace the rest. */
export function runIdFrom(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[-._]+/, "");
  return cleaned.slice(0, 64) || "run";
}
