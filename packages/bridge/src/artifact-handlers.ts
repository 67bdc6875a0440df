import { randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { Artifact, RunlogError } from "@runlog/core";
import type { Session } from "./sessions.js";

/**
 * Artifacts from clients: files are streamed in chunks into a private staging folder (so a client
 * on another host works the same), then logged as an artifact, a model, or a registry link.
 */
const stagingRoot = () => join(tmpdir(), "runlog-bridge-staging");
const stagings = new Map<string, { dir: string; run: string }>();

function safeName(name: unknown): string {
  if (
    typeof name !== "string" ||
    name === "" ||
    name.length > 1000 ||
    name.includes("\0") ||
    isAbsolute(name) ||
    name.split(/[\\/]/).includes("..")
  ) {
    throw new RunlogError(
      "PATH_OUTSIDE_ROOT",
      `An artifact file name must be a relative path without "..", got ${JSON.stringify(String(name)).slice(0, 100)}.`,
    );
  }
  return name;
}

function stagingOf(session: Session, id: string): string {
  const staging = stagings.get(id);
  if (staging === undefined || staging.run !== session.run.id)
    throw new RunlogError("INVALID_ARGUMENT", `No upload ${JSON.stringify(id).slice(0, 60)} for this run.`);
  return staging.dir;
}

export function handleUpload(
  session: Session,
  message: { staging?: string; name: unknown; offset?: number; data?: unknown },
): { staging: string; size: number } {
  let id = message.staging;
  if (id === undefined) {
    mkdirSync(stagingRoot(), { recursive: true });
    id = randomUUID();
    stagings.set(id, { dir: mkdtempSync(join(stagingRoot(), "upload-")), run: session.run.id });
  }
  const dir = stagingOf(session, id);
  const path = resolve(dir, safeName(message.name));
  if (!path.startsWith(dir + sep)) throw new RunlogError("PATH_OUTSIDE_ROOT", "An artifact file name left the upload folder.");
  const data = message.data instanceof Uint8Array ? message.data : new Uint8Array(0);
  const offset = message.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RunlogError("INVALID_ARGUMENT", "offset must be a non-negative integer.");
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, existsSync(path) ? "r+" : "w");
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
  return { staging: id, size: statSync(path).size };
}

function release(id: string): void {
  const staging = stagings.get(id);
  stagings.delete(id);
  if (staging) rmSync(staging.dir, { recursive: true, force: true });
}

/** The staged content as one path: the file when exactly one was uploaded, else the folder. */
function stagedPath(dir: string): string {
  const entries = readdirSync(dir);
  return entries.length === 1 && statSync(join(dir, entries[0] as string)).isFile() ? join(dir, entries[0] as string) : dir;
}

function describe(artifact: Artifact) {
  return {
    name: artifact.name,
    type: artifact.type,
    version: artifact.version,
    qualified_name: artifact.qualifiedName,
    aliases: artifact.aliases,
    digest: artifact.digest,
    size: artifact.size,
  };
}

export async function handleLogArtifact(
  session: Session,
  message: {
    staging: string;
    name: string;
    type: string;
    aliases?: string[];
    metadata?: Record<string, unknown>;
    description?: string;
    mode?: string;
    distributed_id?: string;
  },
) {
  const dir = stagingOf(session, message.staging);
  try {
    const artifact = new Artifact(message.name, message.type, {
      ...(message.metadata ? { metadata: message.metadata } : {}),
      ...(message.description ? { description: message.description } : {}),
    });
    artifact.addDir(dir);
    const options = { aliases: message.aliases ?? [], ...(message.distributed_id ? { distributedId: message.distributed_id } : {}) };
    // W&B's distributed artifacts: upsert adds to the open version, finish seals it.
    const logged =
      message.mode === "upsert"
        ? await session.run.upsertArtifact(artifact, options)
        : message.mode === "finish"
          ? await session.run.finishArtifact(artifact, options)
          : await session.run.logArtifact(artifact, options);
    return describe(logged);
  } finally {
    release(message.staging);
  }
}

export async function handleLogModel(
  session: Session,
  message: { staging: string; name?: string; aliases?: string[]; registered_model_name?: string },
) {
  const dir = stagingOf(session, message.staging);
  try {
    const path = stagedPath(dir);
    const options = { ...(message.name ? { name: message.name } : {}), ...(message.aliases ? { aliases: message.aliases } : {}) };
    if (message.registered_model_name) {
      const linked = await session.run.linkModel(path, message.registered_model_name, options);
      return linked ? describe(linked) : null;
    }
    return describe(await session.run.logModel(path, options));
  } finally {
    release(message.staging);
  }
}

/** Downloads into `root` (the client's folder; same host) and says where the files are. */
export async function handleUseArtifact(
  session: Session,
  message: { name: string; type?: string; aliases?: string[]; root?: string; download_dir?: string; model?: boolean },
) {
  const artifact = await session.run.useArtifact(message.name, {
    ...(message.type ? { type: message.type } : {}),
    ...(message.aliases ? { aliases: message.aliases } : {}),
  });
  if (message.model && !artifact.type.includes("model")) {
    throw new RunlogError("INVALID_ARGUMENT", `${artifact.qualifiedName} has type "${artifact.type}"; use_model needs a model artifact.`);
  }
  // `root` is the exact folder; `download_dir` the client's ./artifacts, where W&B puts <name>:<version>.
  const target = message.root
    ? resolve(message.root)
    : message.download_dir
      ? join(resolve(message.download_dir), `${artifact.name}:${artifact.version}`)
      : undefined;
  const root = await artifact.download(target ? { root: target } : {});
  const files = Object.keys(artifact.manifest.contents);
  return { ...describe(artifact), root, files, path: message.model && files.length === 1 ? join(root, files[0] as string) : root };
}
