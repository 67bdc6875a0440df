import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { RunlogError } from "@runlog/core";
import {
  buildManifest,
  type ManifestEntry,
  manifestDigest,
  validateAliases,
  validateArtifactName,
  validateArtifactTags,
  validateArtifactType,
  validateMetadata,
} from "@runlog/core/store-kit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { canSeeEntity } from "../auth/auth-hook.js";
import { receive } from "../files/run-files.js";
import { sendJson } from "../json-reply.js";
import { manifestObjects } from "./object-grants.js";
import type { ServerArtifacts } from "./server-artifacts.js";

type ScopeParams = { entity: string; project: string };
type NameParams = ScopeParams & { name: string };

const SHA256 = /^[0-9a-f]{64}$/;
/** Resolve, link and aliases name a version and a few aliases. */
const SMALL_BODY_BYTES = 64 * 1024;
/** A commit names every file; 10,000 files of manifest fit well below this. */
const MAX_COMMIT_BYTES = 64 * 1024 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function bad(message: string): never {
  throw new RunlogError("INVALID_ARGUMENT", message);
}

/** The manifest entries a client sends: stored objects (by SHA-256) or references (s3://, file://…). */
function checkContents(contents: unknown, allowEmpty = false): Record<string, ManifestEntry> {
  if (allowEmpty && contents === undefined) return {};
  if (!isObject(contents) || (!allowEmpty && Object.keys(contents).length === 0)) bad("contents must name at least one file.");
  const out: Record<string, ManifestEntry> = {};
  for (const [path, entry] of Object.entries(contents)) {
    if (path.length > 1000 || path.startsWith("/") || path.split("/").includes("..") || path.includes("\0"))
      bad(`Entry ${JSON.stringify(path.slice(0, 100))} is not a safe relative path.`);
    if (!isObject(entry) || typeof entry.digest !== "string" || !Number.isSafeInteger(entry.size) || (entry.size as number) < 0) {
      bad(`Entry ${JSON.stringify(path.slice(0, 100))} needs a digest and a size.`);
    }
    const sha256 = isObject(entry.extra) ? entry.extra.sha256 : undefined;
    if (typeof entry.ref === "string") out[path] = { digest: entry.digest, size: entry.size as number, ref: entry.ref.slice(0, 2000) };
    else if (typeof sha256 === "string" && SHA256.test(sha256))
      out[path] = { digest: entry.digest, size: entry.size as number, extra: { sha256 } };
    else bad(`Entry ${JSON.stringify(path.slice(0, 100))} needs extra.sha256 (uploaded to /api/v1/objects first) or a ref.`);
  }
  return out;
}

/** upsertArtifact's id shared by the runs building one version: W&B's distributed_id (or the runs' group). */
function checkDistributedId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0 || id.length > 256 || id.includes("\0"))
    bad("distributedId must be a string of 1 to 256 characters.");
  return id;
}

/** `entity/project/id` of the run using or logging an artifact; the key must cover its entity. */
function checkRunPath(request: FastifyRequest, runPath: unknown): string | undefined {
  if (runPath === undefined) return undefined;
  if (typeof runPath !== "string" || runPath.length > 400 || !/^[^/\0]+\/[^/\0]+\/[^/\0]+$/.test(runPath))
    bad("runPath must be entity/project/id.");
  if (!canSeeEntity(request, runPath.split("/")[0] as string)) bad("runPath names a run of another entity than the key's.");
  return runPath;
}

/** The entity whose grants bound what the request reads; undefined for a key of every entity, or none needed. */
function grantee(request: FastifyRequest): string | undefined {
  return request.apiKey === undefined || request.apiKey.entity === "*" ? undefined : request.apiKey.entity;
}

/**
 * Artifacts of online runs: objects by SHA-256 (`/api/v1/objects/:sha256`, content checked on
 * upload), and the registry (`/api/v1/artifacts/:entity/:project/…`): commit, resolve (with
 * lineage), link into a registry collection, add aliases.
 */
export function registerArtifactIngestRoutes(
  app: FastifyInstance,
  artifacts: ServerArtifacts,
  tempDir: string,
  maxFileBytes: number,
): void {
  const shaOf = (params: { sha256: string }) =>
    SHA256.test(params.sha256) ? params.sha256 : bad("Objects are named by their SHA-256 (64 hex digits).");

  app.register(async (scope) => {
    scope.addContentTypeParser("application/octet-stream", (_request, payload, done) => done(null, payload));
    scope.put<{ Params: { sha256: string }; Body: Readable }>(
      "/api/v1/objects/:sha256",
      { config: { body: "binary" } },
      async (request, reply) => {
        const sha256 = shaOf(request.params);
        if (typeof request.body?.pipe !== "function") bad("Send the object as Content-Type: application/octet-stream.");
        // Always received and checked, even when stored already: answering from the hash alone would
        // tell any key which objects exist, and sending the bytes is what earns the entity a read.
        const temp = join(tempDir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
        try {
          const received = await receive(request.body, temp, maxFileBytes);
          if (received.sha256 !== sha256) bad(`The body's SHA-256 is ${received.sha256}, not ${sha256}: refusing a mislabelled object.`);
          const stored = !(await artifacts.objects.exists(sha256));
          if (stored) await artifacts.objects.put(temp);
          const entity = grantee(request);
          if (entity !== undefined) await artifacts.grants.grant(entity, [sha256]);
          return sendJson(reply, { sha256, stored });
        } finally {
          rmSync(temp, { force: true });
        }
      },
    );
  });

  // An object the key's entity may not read answers exactly as a missing one.
  const readable = async (request: FastifyRequest, sha256: string) => {
    const entity = grantee(request);
    return (entity === undefined || (await artifacts.grants.has(entity, sha256))) && (await artifacts.objects.exists(sha256));
  };
  app.head<{ Params: { sha256: string } }>("/api/v1/objects/:sha256", async (request, reply) =>
    reply.code((await readable(request, shaOf(request.params))) ? 200 : 404).send(),
  );
  app.get<{ Params: { sha256: string } }>("/api/v1/objects/:sha256", async (request, reply) => {
    const sha256 = shaOf(request.params);
    const object = (await readable(request, sha256)) ? await artifacts.objects.open(sha256) : undefined;
    if (object === undefined) return reply.code(404).send({ code: "NOT_FOUND", message: "No such object." });
    reply.header("content-length", String(object.size));
    return reply.type("application/octet-stream").send(object.stream);
  });

  /** The objects a manifest names, each one the key's entity uploaded (or was granted). */
  const uploadedObjects = async (request: FastifyRequest, contents: Record<string, ManifestEntry>) => {
    const objects = manifestObjects(contents);
    for (const sha256 of objects) {
      if (!(await readable(request, sha256))) bad(`Object ${sha256} was not uploaded; PUT it to /api/v1/objects/${sha256} first.`);
    }
    return objects;
  };

  const base = "/api/v1/artifacts/:entity/:project";
  app.post<{ Params: ScopeParams; Body: Record<string, unknown> }>(
    `${base}/commit`,
    { bodyLimit: MAX_COMMIT_BYTES },
    async (request, reply) => {
      const body = isObject(request.body) ? request.body : bad("Send the commit as a JSON object.");
      const name = validateArtifactName(body.name);
      const contents = checkContents(body.contents);
      const objects = await uploadedObjects(request, contents);
      const manifest = buildManifest(contents);
      const sizes = Object.values(contents).reduce((sum, entry) => sum + entry.size, 0);
      const result = await artifacts.commit({
        ...request.params,
        name,
        type: validateArtifactType(body.type, name),
        description: typeof body.description === "string" ? body.description.slice(0, 100_000) : undefined,
        metadata: validateMetadata(body.metadata),
        tags: validateArtifactTags(body.tags ?? []),
        manifest,
        digest: manifestDigest(manifest.contents),
        size: sizes,
        fileCount: Object.keys(contents).length,
        aliases: validateAliases(body.aliases ?? []),
        runPath: checkRunPath(request, body.runPath),
      });
      await artifacts.grants.grant(request.params.entity, objects);
      return sendJson(reply, result);
    },
  );

  app.post<{ Params: NameParams; Body: Record<string, unknown> }>(
    `${base}/:name/resolve`,
    { bodyLimit: SMALL_BODY_BYTES },
    async (request, reply) => {
      const body = isObject(request.body) ? request.body : {};
      const alias = typeof body.alias === "string" && body.alias.length <= 128 ? body.alias : "latest";
      return sendJson(reply, await artifacts.resolve(request.params, alias, checkRunPath(request, body.runPath)));
    },
  );

  // Distributed artifacts: several runs upsert files into one pending version, one finishes it.
  app.post<{ Params: NameParams; Body: Record<string, unknown> }>(
    `${base}/:name/upsert`,
    { bodyLimit: MAX_COMMIT_BYTES },
    async (request, reply) => {
      const body = isObject(request.body) ? request.body : bad("Send the upsert as a JSON object.");
      const name = validateArtifactName(request.params.name);
      const distributedId = checkDistributedId(body.distributedId);
      const contents = checkContents(body.contents);
      const objects = await uploadedObjects(request, contents);
      const type = validateArtifactType(body.type, name);
      await artifacts.upsertDraft({ ...request.params, name }, distributedId, type, contents);
      await artifacts.grants.grant(request.params.entity, objects);
      return sendJson(reply, { distributedId, files: Object.keys(contents).length });
    },
  );
  app.post<{ Params: NameParams; Body: Record<string, unknown> }>(
    `${base}/:name/finish`,
    { bodyLimit: MAX_COMMIT_BYTES },
    async (request, reply) => {
      const body = isObject(request.body) ? request.body : bad("Send the finish as a JSON object.");
      const name = validateArtifactName(request.params.name);
      const distributedId = checkDistributedId(body.distributedId);
      const contents = checkContents(body.contents, true);
      const objects = await uploadedObjects(request, contents);
      const result = await artifacts.finishDraft(
        {
          ...request.params,
          name,
          type: validateArtifactType(body.type, name),
          description: typeof body.description === "string" ? body.description.slice(0, 100_000) : undefined,
          metadata: validateMetadata(body.metadata),
          tags: validateArtifactTags(body.tags ?? []),
          aliases: validateAliases(body.aliases ?? []),
          runPath: checkRunPath(request, body.runPath),
        },
        distributedId,
        contents,
      );
      await artifacts.grants.grant(request.params.entity, objects);
      return sendJson(reply, result);
    },
  );

  app.get<{ Params: NameParams }>(`${base}/:name/versions`, async (request, reply) =>
    sendJson(reply, await artifacts.versions(request.params)),
  );

  const versionFor = async (request: FastifyRequest<{ Params: NameParams; Body: Record<string, unknown> }>) => {
    const id = isObject(request.body) ? request.body.versionId : undefined;
    const version = Number.isSafeInteger(id) ? await artifacts.version(id as number) : undefined;
    // A key reaches only its entity's versions, whatever id it sends.
    if (version === undefined || !canSeeEntity(request, version.entity) || version.entity !== request.params.entity) {
      throw new RunlogError("ARTIFACT_NOT_FOUND", `No artifact version ${String(id).slice(0, 20)} in entity ${request.params.entity}.`);
    }
    return version;
  };
  app.post<{ Params: NameParams; Body: Record<string, unknown> }>(
    `${base}/:name/link`,
    { bodyLimit: SMALL_BODY_BYTES },
    async (request, reply) => {
      const version = await versionFor(request);
      return sendJson(reply, await artifacts.link(version.id, request.params, validateAliases(request.body.aliases ?? [])));
    },
  );
  app.post<{ Params: NameParams; Body: Record<string, unknown> }>(
    `${base}/:name/aliases`,
    { bodyLimit: SMALL_BODY_BYTES },
    async (request, reply) => {
      const version = await versionFor(request);
      return sendJson(reply, await artifacts.addAliases(version.id, validateAliases(request.body.aliases ?? [])));
    },
  );
}
