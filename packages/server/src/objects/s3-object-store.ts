import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open as openFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { RunlogError } from "@runlog/core";
import { hashFile, type ObjectStore, type PutResult } from "@runlog/core/store-kit";

export interface S3ObjectStoreOptions {
  /** `s3://bucket/prefix`. */
  url: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver…); default: AWS for the region. */
  endpoint?: string;
  region?: string;
  /** Parts of a multipart upload (default 16 MiB; S3's minimum is 5 MiB). Files up to one part go in one PUT. */
  partBytes?: number;
  /** Parts uploaded at once (default 4). */
  concurrency?: number;
  /** Where unfinished multipart uploads are checkpointed, so a restarted upload sends only missing parts. */
  stateDir: string;
  client?: S3Client;
  /** Test hook: called after each part is stored. */
  onPart?: (partNumber: number) => void;
}

interface Checkpoint {
  uploadId: string;
  partBytes: number;
  parts: Record<number, string>;
}

const isNotFound = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Content-addressed objects in an S3-compatible bucket: `<prefix>sha256/ab/cdef…`, the layout of
 * the local store. Big files go up as parallel multipart uploads, checkpointed locally (upload id
 * and finished parts), so an upload cut short resumes where it stopped instead of starting over.
 */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly prefix: string;
  private readonly client: S3Client;
  private readonly partBytes: number;
  private readonly concurrency: number;

  constructor(private readonly options: S3ObjectStoreOptions) {
    const url = new URL(options.url);
    if (url.protocol !== "s3:" || url.hostname === "") {
      throw new RunlogError(
        "INVALID_ARGUMENT",
        `The object store must be an s3://bucket/prefix URL, got ${JSON.stringify(options.url.slice(0, 200))}.`,
      );
    }
    this.bucket = url.hostname;
    const path = decodeURIComponent(url.pathname.replace(/^\/+/, ""));
    this.prefix = path === "" || path.endsWith("/") ? path : `${path}/`;
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? process.env.AWS_REGION ?? "us-east-1",
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
      });
    this.partBytes = Math.max(5 * 1024 * 1024, options.partBytes ?? 16 * 1024 * 1024);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  key(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RunlogError("INVALID_ARGUMENT", `Not a SHA-256 digest: ${sha256.slice(0, 80)}.`);
    return `${this.prefix}sha256/${sha256.slice(0, 2)}/${sha256.slice(2)}`;
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async put(source: string): Promise<PutResult> {
    const hash = await hashFile(source);
    if (await this.exists(hash.sha256)) return { ...hash, bytesWritten: 0 };
    const key = this.key(hash.sha256);
    if (hash.size <= this.partBytes) {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: readFileSync(source), ContentLength: hash.size }));
    } else {
      await this.multipart(source, key, hash.sha256, hash.size);
    }
    return { ...hash, bytesWritten: hash.size };
  }

  async open(sha256: string, offset = 0): Promise<{ stream: Readable; size: number } | undefined> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(sha256), ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}) }),
      );
      const size =
        offset > 0 ? Number(answer.ContentRange?.split("/")[1] ?? offset + (answer.ContentLength ?? 0)) : (answer.ContentLength ?? 0);
      return { stream: answer.Body as Readable, size };
    } catch (error) {
      if (isNotFound(error) || (error as { name?: string }).name === "InvalidRange") return undefined;
      throw error;
    }
  }

  async materialize(sha256: string, destination: string): Promise<void> {
    const object = await this.open(sha256);
    if (object === undefined) throw new RunlogError("STORE_ERROR", `Object ${sha256} is missing from s3://${this.bucket}/${this.prefix}.`);
    mkdirSync(dirname(destination), { recursive: true });
    await pipeline(object.stream, createWriteStream(destination));
  }

  private checkpointPath(sha256: string): string {
    return join(this.options.stateDir, "s3-uploads", `${sha256}.json`);
  }

  private async multipart(source: string, key: string, sha256: string, size: number): Promise<void> {
    const statePath = this.checkpointPath(sha256);
    let checkpoint: Checkpoint | undefined = existsSync(statePath)
      ? (JSON.parse(readFileSync(statePath, "utf8")) as Checkpoint)
      : undefined;
    if (checkpoint?.partBytes !== this.partBytes) checkpoint = undefined;
    if (checkpoint === undefined) {
      const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
      checkpoint = { uploadId: created.UploadId as string, partBytes: this.partBytes, parts: {} };
      this.saveCheckpoint(statePath, checkpoint);
    }
    const state = checkpoint;
    const count = Math.ceil(size / this.partBytes);
    const todo = Array.from({ length: count }, (_, i) => i + 1).filter((n) => state.parts[n] === undefined);
    const file = await openFile(source, "r");
    try {
      const worker = async () => {
        for (let next = todo.shift(); next !== undefined; next = todo.shift()) {
          const start = (next - 1) * this.partBytes;
          const length = Math.min(this.partBytes, size - start);
          const body = Buffer.allocUnsafe(length);
          await file.read(body, 0, length, start);
          const answer = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key: key,
              UploadId: state.uploadId,
              PartNumber: next,
              Body: body,
              ContentLength: length,
            }),
          );
          state.parts[next] = answer.ETag as string;
          this.saveCheckpoint(statePath, state);
          this.options.onPart?.(next);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, todo.length) }, worker));
    } finally {
      await file.close();
    }
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: state.uploadId,
        MultipartUpload: { Parts: Array.from({ length: count }, (_, i) => ({ PartNumber: i + 1, ETag: state.parts[i + 1] })) },
      }),
    );
    rmSync(statePath, { force: true });
  }

  private saveCheckpoint(path: string, checkpoint: Checkpoint): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(checkpoint));
  }
}
