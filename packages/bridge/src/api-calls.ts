import { join, resolve } from "node:path";
import { Api, type ApiRun, type RunFilter, RunlogError } from "@runlog/core";

/**
 * W&B's public read API for clients (`{t: "api", method, args}`): `runlog.Api()` in Python reads
 * the bridge's store through these, one entry per method, answering plain maps.
 */
type ApiCall = (api: Api, args: Record<string, unknown>) => Promise<unknown>;

const path = (args: Record<string, unknown>): string => {
  if (typeof args.path !== "string") throw new RunlogError("INVALID_ARGUMENT", "path must be a string like entity/project/run_id.");
  return args.path;
};
const keys = (args: Record<string, unknown>) => (Array.isArray(args.keys) ? { keys: args.keys.map(String) } : {});

function describeRun(run: ApiRun) {
  const view = run.toJSON();
  return {
    id: run.id,
    entity: run.entity,
    project: run.project,
    path: run.path,
    name: run.name,
    notes: run.notes ?? null,
    state: run.state,
    exit_code: run.exitCode ?? null,
    config: run.config,
    summary: run.summary,
    metadata: run.metadata,
    tags: [...run.tags],
    group: run.group ?? null,
    job_type: run.jobType ?? null,
    sweep_id: run.sweepId ?? null,
    created_at: run.createdAt,
    heartbeat_at: run.heartbeatAt,
    last_step: run.lastStep,
    attempts: (view as { attempts?: number }).attempts ?? 1,
  };
}

const API_CALLS: Record<string, ApiCall> = {
  download: async (api, args) => {
    const artifact = await api.artifact(path(args));
    const root = typeof args.root === "string" ? resolve(args.root) : join(resolve("artifacts"), `${artifact.name}:${artifact.version}`);
    return { root: await artifact.download({ root }) };
  },
  run: async (api, args) => describeRun(await api.run(path(args))),
  runs: async (api, args) =>
    (
      await api.runs(path(args), {
        ...(args.filters ? { filters: args.filters as RunFilter } : {}),
        ...(typeof args.order === "string" ? { order: args.order } : {}),
      })
    ).map(describeRun),
  history: async (api, args) =>
    (await api.run(path(args))).history({ ...keys(args), ...(typeof args.samples === "number" ? { samples: args.samples } : {}) }),
  scan_history: async (api, args) => {
    const rows = [];
    const options = {
      ...keys(args),
      ...(typeof args.min_step === "number" ? { minStep: args.min_step } : {}),
      ...(typeof args.max_step === "number" ? { maxStep: args.max_step } : {}),
    };
    for await (const row of (await api.run(path(args))).scanHistory(options)) rows.push(row);
    return rows;
  },
  files: async (api, args) => (await (await api.run(path(args))).files()).map((file) => ({ ...file })),
  // Where one of the run's files lies (same host): the client's `File.download` copies it from there.
  file_path: async (api, args) => (await api.run(path(args))).filePath(String(args.name ?? "")),
  artifact: async (api, args) => {
    const artifact = await api.artifact(path(args));
    return {
      name: artifact.name,
      type: artifact.type,
      version: artifact.version,
      qualified_name: artifact.qualifiedName,
      aliases: [...artifact.aliases],
      metadata: artifact.metadata,
      description: artifact.description ?? null,
      digest: artifact.digest,
      size: artifact.size,
      files: Object.keys(artifact.manifest.contents),
    };
  },
};

export async function handleApi(dir: string, method: string, args: Record<string, unknown>): Promise<unknown> {
  const call = Object.hasOwn(API_CALLS, method) ? API_CALLS[method] : undefined;
  if (call === undefined) throw new RunlogError("INVALID_ARGUMENT", `The bridge has no api method ${JSON.stringify(method).slice(0, 60)}.`);
  const api = new Api({ dir });
  try {
    return await call(api, args ?? {});
  } finally {
    api.close();
  }
}
