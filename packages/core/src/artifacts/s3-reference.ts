import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunlogError } from "../errors.js";
import type { ManifestEntry } from "./manifest.js";

type S3Module = typeof import("@aws-sdk/client-s3");

/** The S3 client is an optional peer: loaded only when an s3:// reference is used. */
async function s3(): Promise<{ sdk: S3Module; client: InstanceType<S3Module["S3Client"]> }> {
  let sdk: S3Module;
  try {
    sdk = await import("@aws-sdk/client-s3");
  } catch {
    throw new RunlogError(
      "MODE_UNAVAILABLE",
      "s3:// references need the AWS SDK: npm install @aws-sdk/client-s3 (credentials come from the usual AWS_* variables).",
    );
  }
  const endpoint = process.env.RUNLOG_S3_ENDPOINT ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const client = new sdk.S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
  });
  return { sdk, client };
}

function parse(uri: string): { bucket: string; key: string } {
  const url = new URL(uri);
  return { bucket: url.hostname, key: decodeURIComponent(url.pathname.replace(/^\//, "")) };
}

const unquote = (etag: string | undefined) => (etag ?? "").replace(/"/g, "");

/**
 * Entries for an s3:// reference: one object (by HEAD), or every object under a prefix
 * (at most `maxObjects`), recorded with ETag and size — never copied.
 */
export async function describeS3Reference(name: string, uri: string, maxObjects: number): Promise<Record<string, ManifestEntry>> {
  const { sdk, client } = await s3();
  const { bucket, key } = parse(uri);
  try {
    if (key !== "" && !key.endsWith("/")) {
      try {
        const head = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { [name]: { digest: unquote(head.ETag), size: head.ContentLength ?? 0, ref: uri } };
      } catch (error) {
        if ((error as { name?: string }).name !== "NotFound") throw error;
      }
    }
    const prefix = key === "" || key.endsWith("/") ? key : `${key}/`;
    const entries: Record<string, ManifestEntry> = {};
    let token: string | undefined;
    let count = 0;
    do {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.Key.endsWith("/")) continue;
        if (++count > maxObjects)
          throw new RunlogError("INVALID_ARGUMENT", `addReference: ${uri} holds more than maxObjects (${maxObjects}) objects.`);
        entries[`${name}/${object.Key.slice(prefix.length)}`] = {
          digest: unquote(object.ETag),
          size: object.Size ?? 0,
          ref: `s3://${bucket}/${object.Key.split("/").map(encodeURIComponent).join("/")}`,
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    if (count === 0) throw new RunlogError("INVALID_ARGUMENT", `addReference: nothing found at ${uri}.`);
    return entries;
  } finally {
    client.destroy();
  }
}

/** Downloads an s3:// entry, checking the ETag and size recorded when it was logged. */
export async function fetchS3Reference(entry: ManifestEntry, destination: string): Promise<void> {
  const { sdk, client } = await s3();
  const { bucket, key } = parse(entry.ref as string);
  try {
    const object = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
    if (unquote(object.ETag) !== entry.digest) {
      throw new RunlogError(
        "STORE_ERROR",
        `${entry.ref} changed since the artifact was logged (ETag ${unquote(object.ETag)}, recorded ${entry.digest}).`,
      );
    }
    await pipeline(object.Body as Readable, createWriteStream(destination));
    const { size } = await stat(destination);
    if (size !== entry.size)
      throw new RunlogError("STORE_ERROR", `${entry.ref}: downloaded ${size} bytes, the artifact recorded ${entry.size}.`);
  } finally {
    client.destroy();
  }
}
