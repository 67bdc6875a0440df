import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { OfflineArtifactsResult } from "../../artifacts/offline/replay.js";
import { RunlogError } from "../../errors.js";
import { scanFrames } from "../../pipeline/frame.js";
import { LOG_MAGIC } from "../../pipeline/transaction-log.js";
import { listRunLogs } from "../sqlite/sqlite-store.js";
import { backoffMs, type IngestClient, IngestError, type RunAddress } from "./ingest-client.js";
import { uploadOfflineArtifacts } from "./offline-artifact-upload.js";
import { RunFileUploader } from "./run-file-uploads.js";

/** Frames per request when uploading a log. */
const UPLOAD_BYTES = 4 * 1024 * 1024;

export interface ServerSyncResult {
  readonly files: number;
  readonly records: number;
  /** The run's applied sequence on the server after the upload. */
  readonly appliedSeq: number;
  readonly tornBytes: number;
  /** Damaged byte ranges skipped (their records are lost; every intact one was uploaded). */
  readonly damaged: readonly { readonly start: number; readonly end: number }[];
  /** An offline run's artifacts committed on the server: versions it logged and used. */
  readonly artifacts: OfflineArtifactsResult;
}

/**
 * Uploads a run folder's transaction logs (every attempt, in order) to a runlog server. The
 * server skips what it already has, so this is safe to repeat and to run after a partial upload.
 * Retryable failures (server down, rate-limited) are retried until `deadlineMs`.
 */
export async function uploadRunDir(
  runDir: string,
  address: RunAddress,
  client: IngestClient,
  deadlineMs = 120_000,
): Promise<ServerSyncResult> {
  const files = listRunLogs(runDir);
  let records = 0;
  let appliedSeq = 0;
  let tornBytes = 0;
  const damaged: { start: number; end: number }[] = [];
  const deadline = Date.now() + deadlineMs;
  const uploader = new RunFileUploader(client, address, join(runDir, "files"));
  for (const file of files) {
    const fd = openSync(file, "r");
    try {
      const size = fstatSync(fd).size;
      let offset = LOG_MAGIC.length;
      const buffer = Buffer.allocUnsafe(UPLOAD_BYTES);
      while (offset < size) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - offset), offset);
        const final = offset + n >= size;
        const scan = scanFrames(buffer.subarray(0, n), { resync: true, final });
        if (scan.consumed === 0) {
          // A frame larger than a request, or the torn end a crash leaves.
          if (scan.stoppedBy === "incomplete" && n === buffer.length) {
            throw new RunlogError(
              "LOG_CORRUPT",
              `${file} holds a frame over ${UPLOAD_BYTES} bytes at offset ${offset}; it cannot be uploaded.`,
            );
          }
          tornBytes += size - offset;
          break;
        }
        for (const range of scan.damaged) damaged.push({ start: offset + range.start, end: offset + range.end });
        records += scan.records.length;
        // Only intact frames go up: the damaged ranges are cut out.
        const pieces: Buffer[] = [];
        let from = 0;
        for (const range of scan.damaged) {
          pieces.push(buffer.subarray(from, range.start));
          from = range.end;
        }
        pieces.push(buffer.subarray(from, scan.consumed));
        const frames = Buffer.concat(pieces);
        if (scan.records.length > 0) {
          appliedSeq = await withRetry(async () => {
            await uploader.upload(scan.records);
            return client.records(address, frames);
          }, deadline);
        }
        offset += scan.consumed;
      }
    } finally {
      closeSync(fd);
    }
  }
  // After the run's records: the offline run's artifacts, with the run as producer and consumer.
  const artifacts = await withRetry(() => uploadOfflineArtifacts(runDir, address, client), deadline);
  return { files: files.length, records, appliedSeq, tornBytes, damaged, artifacts };
}

async function withRetry<T>(send: () => Promise<T>, deadline: number): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof IngestError) || !error.retryable || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.max(backoffMs(attempt), error.retryAfterMs ?? 0)));
    }
  }
}
