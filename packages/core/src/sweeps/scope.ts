import { userInfo } from "node:os";
import { RunlogError } from "../errors.js";
import { validateScopeName } from "../util/names.js";
import type { SweepAddress, SweepBackend } from "./sweep-backend.js";

const env = (name: string): string | undefined => process.env[`RUNLOG_${name}`] || process.env[`WANDB_${name}`] || undefined;

function defaultEntity(): string {
  try {
    return userInfo().username || "local";
  } catch {
    return "local";
  }
}

/** entity/project as init() resolves them: options, then RUNLOG_* (or WANDB_*), then the defaults. */
export function sweepScope(options: { entity?: string | undefined; project?: string | undefined }): { entity: string; project: string } {
  return {
    entity: validateScopeName("entity", options.entity ?? env("ENTITY") ?? defaultEntity()),
    project: validateScopeName("project", options.project ?? env("PROJECT") ?? "uncategorized"),
  };
}

/**
 * The sweep `ref` names: `entity/project/id`, `project/id`, or a plain id — found in the given
 * (or default) project, else anywhere in the store when only one sweep has that id.
 */
export async function resolveSweep(
  backend: SweepBackend,
  ref: string,
  options: { entity?: string | undefined; project?: string | undefined },
): Promise<SweepAddress> {
  if (typeof ref !== "string" || !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/.test(ref)) {
    throw new RunlogError("INVALID_ARGUMENT", `A sweep is named by its id or entity/project/id, not ${JSON.stringify(ref)}.`);
  }
  const parts = ref.split("/");
  const id = parts.pop() as string;
  const project = parts.pop() ?? options.project;
  const entity = parts.pop() ?? options.entity;
  const scoped = sweepScope({ entity, project });
  const address = { ...scoped, id };
  if ((await backend.getSweep(address)) !== undefined) return address;
  if (parts.length === 0 && project === undefined) {
    const found = (await backend.findSweeps(id)).filter((a) => entity === undefined || a.entity === entity);
    if (found.length === 1) return found[0] as SweepAddress;
    if (found.length > 1) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `Sweep id ${id} exists in ${found.map((a) => `${a.entity}/${a.project}`).join(", ")}; name it as entity/project/${id}.`,
      );
    }
  }
  throw new RunlogError(
    "SWEEP_NOT_FOUND",
    `No sweep ${address.entity}/${address.project}/${id}; create one with sweep(config) or \`runlog sweep config.yaml\`.`,
  );
}
