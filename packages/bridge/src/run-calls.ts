import { Api, type Run, RunlogError } from "@runlog/core";
import type { Session } from "./sessions.js";

/**
 * Run methods a client calls by name (`{t: "call", method, args}`): one entry per W&B member the
 * Python client forwards, each taking the snake_case argument map W&B's signature uses.
 */
type RunCall = (run: Run, args: Record<string, unknown>, dir: string) => unknown;

const text = (value: unknown, what: string): string => {
  if (typeof value !== "string") throw new RunlogError("INVALID_ARGUMENT", `${what} must be a string.`);
  return value;
};
const optionalText = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

const RUN_CALLS: Record<string, RunCall> = {
  set_name: (run, args) => {
    run.name = text(args.value, "name");
  },
  set_notes: (run, args) => {
    run.notes = optionalText(args.value);
  },
  set_tags: (run, args) => {
    if (!Array.isArray(args.value)) throw new RunlogError("INVALID_ARGUMENT", "tags must be a list of strings.");
    run.tags = args.value.map(String);
  },
  mark_preempting: (run) => run.markPreempting(),
  status: async (run) => {
    const status = await run.status();
    return {
      state: status.state,
      sync_items_total: status.syncItemsTotal,
      sync_items_pending: status.syncItemsPending,
      sync_time: status.syncTime === undefined ? null : status.syncTime.getTime() / 1000,
    };
  },
  restore: async (run, args) => {
    const path = await run.restore(text(args.name, "name"), {
      ...(optionalText(args.run_path) ? { runPath: args.run_path as string } : {}),
      ...(args.replace === true ? { replace: true } : {}),
      ...(optionalText(args.root) ? { root: args.root as string } : {}),
    });
    return path ?? null;
  },
  save: async (run, args) => ({
    saved: await run.save(text(args.path, "path"), {
      policy: (optionalText(args.policy) ?? "live") as "live" | "now" | "end",
      ...(optionalText(args.base_path) ? { basePath: args.base_path as string } : {}),
    }),
  }),
  log_code: async (run, args) => {
    const include = globs(args.include);
    const exclude = globs(args.exclude);
    const artifact = await run.logCode({
      ...(optionalText(args.root) ? { root: args.root as string } : {}),
      ...(optionalText(args.name) ? { name: args.name as string } : {}),
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
    });
    return artifact === undefined ? null : { qualified_name: artifact.qualifiedName, version: artifact.version, type: artifact.type };
  },
  link_artifact: async (run, args, dir) => {
    const api = new Api({ dir });
    try {
      const artifact = await api.artifact(text(args.artifact, "artifact"));
      const linked = await run.linkArtifact(artifact, text(args.target_path, "target_path"), {
        aliases: Array.isArray(args.aliases) ? args.aliases.map(String) : [],
      });
      return linked === undefined ? null : { qualified_name: linked.qualifiedName, version: linked.version, aliases: [...linked.aliases] };
    } finally {
      api.close();
    }
  },
};

/** log_code's include/exclude: the client sends suffix or glob lists (Python callables cannot travel). */
function globs(value: unknown): ((path: string) => boolean) | undefined {
  if (!Array.isArray(value)) return undefined;
  const patterns = value.map((p) => globToRegExp(String(p)));
  return (path) => patterns.some((pattern) => pattern.test(path));
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*\/?|\*|\?/g, (m) => (m === "?" ? "[^/]" : m === "*" ? "[^/]*" : ".*"));
  return new RegExp(`(^|/)${body}$`);
}

export async function handleCall(dir: string, session: Session, method: string, args: Record<string, unknown>): Promise<unknown> {
  const call = Object.hasOwn(RUN_CALLS, method) ? RUN_CALLS[method] : undefined;
  if (call === undefined) throw new RunlogError("INVALID_ARGUMENT", `The bridge has no run method ${JSON.stringify(method).slice(0, 60)}.`);
  return (await call(session.run, args ?? {}, dir)) ?? null;
}
