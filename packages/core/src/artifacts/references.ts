import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { RunlogError } from "../errors.js";
import type { ManifestEntry } from "./manifest.js";
import { hashFile } from "./object-store.js";
import { describeS3Reference, fetchS3Reference } from "./s3-reference.js";

/** A reference entry: recorded (size, checksum or ETag), never copied into the store. */
export interface PendingReference {
  readonly uri: string;
  readonly checksum: boolean;
  readonly maxObjects: number;
}

/** The manifest entries of a reference: checksum (file://) or ETag (http, s3) and size; the content is not copied. */
export async function describeReference(name: string, reference: PendingReference): Promise<Record<string, ManifestEntry>> {
  if (reference.uri.startsWith("s3://")) return describeS3Reference(name, reference.uri, reference.maxObjects);
  return { [name]: await describeSingle(reference) };
}

async function describeSingle(reference: PendingReference): Promise<ManifestEntry> {
  const url = new URL(reference.uri);
  if (url.protocol === "file:") {
    const path = fileURLToPath(url);
    if (!reference.checksum) {
      const { size } = await stat(path);
      return { digest: createHash("md5").update(reference.uri).digest("base64"), size, ref: reference.uri };
    }
    const hash = await hashFile(path);
    return { digest: hash.md5, size: hash.size, ref: reference.uri, extra: { sha256: hash.sha256 } };
  }
  const response = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new RunlogError("INVALID_ARGUMENT", `addReference: HEAD ${url.href} answered ${response.status}.`);
  const etag = response.headers.get("etag")?.replace(/^W\//, "").replace(/"/g, "");
  const size = Number(response.headers.get("content-length") ?? 0);
  const digest = reference.checksum && etag ? etag : createHash("md5").update(reference.uri).digest("base64");
  return { digest, size, ref: reference.uri };
}

/** Fetches a reference entry to `destination`, checking what the manifest recorded. */
export async function fetchReference(entry: ManifestEntry, destination: string): Promise<void> {
  const url = new URL(entry.ref as string);
  if (url.protocol === "s3:") return fetchS3Reference(entry, destination);
  if (url.protocol === "file:") {
    const source = fileURLToPath(url);
    const expected = entry.extra?.sha256;
    if (expected !== undefined && (await hashFile(source)).sha256 !== expected) {
      throw new RunlogError("STORE_ERROR", `The referenced file ${source} changed since the artifact was logged (checksum mismatch).`);
    }
    await pipeline((await import("node:fs")).createReadStream(source), createWriteStream(destination));
    return;
  }
  const response = await fetch(url, { signal: AbortSignal.timeout(300_000) });
  if (!response.ok || response.body === null) throw new RunlogError("STORE_ERROR", `GET ${url.href} answered ${response.status}.`);
  await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), createWriteStream(destination));
  const { size } = await stat(destination);
  if (entry.size > 0 && size !== entry.size)
    throw new RunlogError("STORE_ERROR", `GET ${url.href} returned ${size} bytes; the artifact recorded ${entry.size}.`);
}
