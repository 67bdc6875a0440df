import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Api, type ArtifactProgress, init, RunlogError } from "@runlog/core";
import { progressReporter } from "../progress.js";

export const ARTIFACT_HELP = `Usage: runlog artifact put <path> --name NAME --type TYPE [--alias A]... [--project P] [--json]
       runlog artifact get <[entity/][project/]name[:alias]> [--root DIR] [--json]
       runlog artifact ls [--project P] [--json]

  put    logs a file or folder as a new artifact version (unchanged content: no new version)
  get    places an artifact's files under --root (default ./artifacts/<name>:vN), as links
  ls     lists the artifacts of a project

  --dir DIR    the runlog root (default RUNLOG_DIR or ./runlog)
  --project P  the project (default RUNLOG_PROJECT or "uncategorized")`;

type Out = (line: string) => void;

export async function artifactCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
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
  if (values.help || action === undefined) {
    out(ARTIFACT_HELP);
    return values.help ? 0 : 2;
  }
  const dir = resolve(values.dir ?? process.env.RUNLOG_DIR ?? "./runlog");
  const project = values.project ?? process.env.RUNLOG_PROJECT ?? "uncategorized";
  switch (action) {
    case "put":
      return put(target, { ...values, dir, project }, out);
    case "get":
      return get(target, { ...values, dir, project }, out);
    case "ls":
      return ls({ ...values, dir, project }, out);
    default:
      throw new RunlogError("INVALID_ARGUMENT", `Unknown artifact action "${action}".\n\n${ARTIFACT_HELP}`);
  }
}

interface Options {
  name?: string;
  type?: string;
  alias?: string[];
  root?: string;
  json?: boolean;
  dir: string;
  project: string;
}

async function put(path: string | undefined, options: Options, out: Out): Promise<number> {
  if (path === undefined || options.name === undefined || options.type === undefined) {
    throw new RunlogError("INVALID_ARGUMENT", `put needs a path, --name and --type.\n\n${ARTIFACT_HELP}`);
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

async function get(path: string | undefined, options: Options, out: Out): Promise<number> {
  if (path === undefined) throw new RunlogError("INVALID_ARGUMENT", `get needs an artifact like name:latest.\n\n${ARTIFACT_HELP}`);
  const api = new Api({ dir: options.dir });
  const qualified = path.split("/").length === 1 ? `${options.project}/${path}` : path;
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
  api.close();
  out(options.json ? JSON.stringify({ artifact: artifact.qualifiedName, root, files: last.filesTotal }) : root);
  return 0;
}

async function ls(options: Options, out: Out): Promise<number> {
  const api = new Api({ dir: options.dir });
  const collections = await api.artifactCollections(options.project);
  api.close();
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
