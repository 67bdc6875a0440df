import { statSync } from "node:fs";
import { join } from "node:path";
import type { DecodedRecord } from "../../pipeline/records.js";
import type { IngestClient, RunAddress } from "./ingest-client.js";

/** Media references in history rows look like `{ path, sha256, size, … }` (see writeMedia), at any depth. */
function collectMedia(value: unknown, into: Set<string>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if (Array.isArray(value)) {
    for (const item of value) collectMedia(item, into, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (typeof record.path === "string" && typeof record.sha256 === "string") into.add(record.path);
  for (const child of Object.values(record)) collectMedia(child, into, depth + 1);
}

/** The run files a batch of records refers to: saved files and the media its history rows point at. */
export function referencedFiles(records: readonly DecodedRecord[]): string[] {
  const paths = new Set<string>();
  for (const record of records) {
    if (record.kind === "file") paths.add(record.header.path);
    else if (record.kind === "history") for (const [, row] of record.header.rows) collectMedia(row, paths);
  }
  return [...paths];
}

/**
 * Uploads the files a batch refers to before the batch itself, so the server never lists a
 * file it cannot serve. A file is sent again only when its size or mtime changed (a live
 * `run.save`, the console log growing).
 */
export class RunFileUploader {
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly client: IngestClient,
    private readonly address: RunAddress,
    private readonly filesDir: string,
  ) {}

  async upload(records: readonly DecodedRecord[]): Promise<void> {
    for (const path of referencedFiles(records)) {
      const source = join(this.filesDir, ...path.split("/"));
      const info = statSync(source, { throwIfNoEntry: false });
      if (!info?.isFile()) continue;
      const stamp = `${info.size}:${info.mtimeMs}`;
      if (this.sent.get(path) === stamp) continue;
      await this.client.putFile(this.address, path, source);
      this.sent.set(path, stamp);
    }
  }
}
