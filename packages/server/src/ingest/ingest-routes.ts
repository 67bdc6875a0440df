import type { Readable } from "node:stream";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { RunlogError } from "@runlog/core";
import { safeRelativePath, scanFrames } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import type { RunFileStore } from "../files/run-files.js";
import { sendJson } from "../json-reply.js";
import type { RunParams } from "../query.js";
import type { RunWriter } from "./run-writer.js";
import { validateRecords } from "./validate-records.js";

/** Routes that take no body still parse a stray JSON one: a few bytes, never a megabyte. */
export const NO_BODY_LIMIT = 1024;
/** Compressed request bodies (batches of frames). */
const MAX_INGEST_BYTES = 16 * 1024 * 1024;
/** Run files (media, run.save, checkpoints saved as files): 4 GiB unless the server says otherwise. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024;
/** What a body may inflate to: a gzip bomb is refused, not unpacked. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

const gunzipAsync = promisify(gunzip);

/**
 * Inflates on libuv's thread pool: a batch's gunzipSync was a third of the main thread's ingest
 * time. The output buffer is sized for a batch (frames of Float64 columns inflate ~3×): zlib's
 * default 16 KiB pieces cost a main-thread callback and a copy each.
 */
async function inflate(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  if (encoding === undefined || encoding === "identity") return body;
  if (encoding !== "gzip")
    throw new RunlogError("INVALID_ARGUMENT", `Content-Encoding must be gzip or identity, got ${JSON.stringify(encoding.slice(0, 40))}.`);
  try {
    const chunkSize = Math.min(8 * 1024 * 1024, Math.max(64 * 1024, body.length * 4));
    return await gunzipAsync(body, { maxOutputLength: MAX_INFLATED_BYTES, chunkSize });
  } catch (error) {
    throw new RunlogError("INVALID_ARGUMENT", `The gzip body is corrupt or inflates past ${MAX_INFLATED_BYTES} bytes.`, { cause: error });
  }
}

/**
 * `/api/v1/ingest/:entity/:project/:id/…`: where online runs and `runlog sync` send their
 * transaction-log frames. A batch applies in one transaction and is idempotent by record
 * sequence, so a client retries anything it did not see acknowledged, at any instance.
 */
export function registerIngestRoutes(app: FastifyInstance, writer: RunWriter, files: RunFileStore, maxFileBytes = MAX_FILE_BYTES): void {
  const base = "/api/v1/ingest/:entity/:project/:id";

  // Run files stream to their store (never buffered whole); a scope of their own keeps that parser here.
  app.register(async (scope) => {
    scope.addContentTypeParser("application/octet-stream", (_request, payload, done) => done(null, payload));
    scope.put<{ Params: RunParams & { "*": string }; Body: Readable }>(
      `${base}/files/*`,
      { config: { body: "binary" } },
      async (request, reply) => {
        const path = safeRelativePath(request.params["*"], "run file");
        const declared = Number(request.headers["content-length"]);
        if (declared > maxFileBytes) throw new RunlogError("VALUE_TOO_LARGE", `A run file may be at most ${maxFileBytes} bytes.`);
        if (typeof request.body?.pipe !== "function")
          throw new RunlogError("INVALID_ARGUMENT", "Send the file as Content-Type: application/octet-stream.");
        return sendJson(reply, await files.save(request.params, path, request.body, maxFileBytes));
      },
    );
  });

  app.register(async (scope) => {
    scope.addContentTypeParser("application/octet-stream", { parseAs: "buffer", bodyLimit: MAX_INGEST_BYTES }, (_request, body, done) =>
      done(null, body),
    );
    registerRecordRoutes(scope, base, writer);
  });
}

function registerRecordRoutes(app: FastifyInstance, base: string, writer: RunWriter): void {
  app.post<{ Params: RunParams }>(`${base}/describe`, { config: { body: "none" }, bodyLimit: NO_BODY_LIMIT }, async (request, reply) =>
    sendJson(reply, await writer.describeRun(request.params)),
  );

  app.post<{ Params: RunParams }>(`${base}/heartbeat`, { config: { body: "none" }, bodyLimit: NO_BODY_LIMIT }, async (request, reply) => {
    await writer.heartbeat(request.params);
    return reply.code(204).send();
  });

  app.post<{ Params: RunParams; Body: Buffer }>(`${base}/records`, { config: { body: "binary" } }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new RunlogError("INVALID_ARGUMENT", "Send frames as Content-Type: application/octet-stream.");
    const bytes = await inflate(request.body, request.headers["content-encoding"]);
    let scan: ReturnType<typeof scanFrames>;
    try {
      scan = scanFrames(bytes, { verify: true });
    } catch (error) {
      throw new RunlogError("INVALID_ARGUMENT", "The body holds a frame that does not decode.", { cause: error });
    }
    if (scan.stoppedBy !== undefined || scan.records.length === 0) {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `The body is not a whole number of valid frames (${scan.stoppedBy ?? "empty"} at byte ${scan.consumed}).`,
      );
    }
    validateRecords(scan.records, request.params);
    const appliedSeq = await writer.apply(request.params, scan.records);
    return sendJson(reply, { appliedSeq });
  });
}
