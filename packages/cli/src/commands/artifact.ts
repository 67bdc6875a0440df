import { Api, type ArtifactProgress, init, RunlogError } from "@runlog/core";
import type { Out } from "../command.js";
import { progressReporter } from "../progress.js";
import { resolveRoot, storeToRead } from "../store-dir.js";
import { parseCommandArgs, UsageError } from "../usage.js";

export const ARTIFACT_HELP = `Usage: runlog artifact put <path> --name NAME --type TYPE [--alias A]... [--project P] [--json]
       runlog artifact get <[entity/][project/]name[:alias]> [--root DIR] [--json]
       runlog artifact ls [--project P] [--json]

  put    logs a file or folder as a new artifact version (unchanged content: no new version)
  get    places an artifact's files under --root (default ./artifacts/<name>:vN), as links
  ls     lists the artifacts of a project

  --dir DIR    the runlog root (default RUNLOG_DIR or ./runlog)
  --project P  the project (default RUNLOG_PROJECT or "uncategorized")`;

export async function artifactCommand(args: string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      type: { type: "string" },
      alias: { type: "string", multiple: true },
      project: { type: "string" },
      root: { type: "string" },
      dir: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [action, target] = positionals;
  if (values.help) {
    out(ARTIFACT_HELP);
    return 0;
  }
  if (action === undefined) throw new UsageError("say what to do: put, get or ls");
  const project = values.project ?? process.env.RUNLOG_PROJECT ?? "uncategorized";
  switch (action) {
    case "put":
      return put(target, { ...values, dir: resolveRoot(values.dir), project }, out);
    case "get":
      return get(target, { ...values, project }, out, err);
    case "ls":
      return ls({ ...values, project }, out, err);
    default:
      throw new UsageError(`unknown action "${action.slice(0, 40)}": use put, get or ls`);
  }
}

interface Options {
  name?: string;
  type?: string;
  alias?: string[];
  root?: string;
  json?: boolean;
  dir?: string;
  project: string;
}

async function put(path: string | undefined, options: Options & { dir: string }, out: Out): Promise<number> {
  if (path === undefined || options.name === undefined || options.type === undefined) {
    throw new UsageError("put needs a path, --name and --type");
  }
  const progress = progressReporter(`put ${options.name}`);
  let last: ArtifactProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0 };
  // A small run records who logged the artifact (lineage), as W&B's CLI does.
  const run = await init({
    dir: options.dir,
    project: options.project,
    jobType: "artifact-put",
    reinit: "create_new",
    settings: { quiet: true, console: "off", disableStats: true },
  });
  try {
    const artifact = await run.logArtifact(path, {
      name: options.name,
      type: options.type,
      aliases: options.alias ?? [],
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
    });
    progress.done(last);
    const result = {
      artifact: artifact.qualifiedName,
      digest: artifact.digest,
      files: Object.keys(artifact.manifest.contents).length,
      size: artifact.size,
      aliases: artifact.aliases,
    };
    out(
      options.json
        ? JSON.stringify(result)
        : `put ${result.artifact} (${result.files} files, ${formatBytes(result.size ?? 0)}; aliases ${result.aliases.join(", ")})`,
    );
    await run.finish();
    return 0;
  } catch (error) {
    await run.finish({ exitCode: 1 });
    throw error;
  }
}

async function get(path: string | undefined, options: Options, out: Out, err: Out): Promise<number> {
  if (path === undefined) throw new UsageError("get needs an artifact such as name:latest");
  const qualified = path.split("/").length === 1 ? `${options.project}/${path}` : path;
  const store = storeToRead(options.dir, err, "artifact");
  if (!store.exists)
    throw new RunlogError("ARTIFACT_NOT_FOUND", `Artifact ${qualified} was not found: there is no store in ${store.root}.`);
  const api = new Api({ dir: store.root });
  try {
    const artifact = await api.artifact(qualified);
    const progress = progressReporter(`get ${artifact.qualifiedName}`);
    let last: ArtifactProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0 };
    const root = await artifact.download({
      ...(options.root === undefined ? {} : { root: options.root }),
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
    });
    progress.done(last);
    out(options.json ? JSON.stringify({ artifact: artifact.qualifiedName, root, files: last.filesTotal }) : root);
    return 0;
  } finally {
    api.close();
  }
}

async function ls(options: Options, out: Out, err: Out): Promise<number> {
  const store = storeToRead(options.dir, err, "artifact");
  let collections: Awaited<ReturnType<Api["artifactCollections"]>> = [];
  if (store.exists) {
    const api = new Api({ dir: store.root });
    try {
      collections = await api.artifactCollections(options.project);
    } finally {
      api.close();
    }
  }
  if (options.json) {
    for (const c of collections) out(JSON.stringify(c));
  } else if (collections.length === 0) {
    out(`no artifacts in ${options.project}`);
  } else {
    for (const c of collections)
      out(
        `${c.name.padEnd(32)} ${c.type.padEnd(12)} ${String(c.versions).padStart(4)} version(s)${c.kind === "portfolio" ? "  (registry)" : ""}`,
      );
  }
  return 0;
}

function formatBytes(bytes: number): string {
  return bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
