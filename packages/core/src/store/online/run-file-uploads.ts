import { statSync } from "node:fs";
import { resolveInside } from "../../artifacts/safe-path.js";
import type { DecodedRecord } from "../../pipeline/records.js";
import { type IngestClient, IngestError, type RunAddress } from "./ingest-client.js";

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
    private readonly warn: (message: string) => void = () => {},
  ) {}

  async upload(records: readonly DecodedRecord[]): Promise<void> {
    for (const path of referencedFiles(records)) {
      // A logged dict may look like a media reference; only files inside the run's folder are sent.
      let source: string;
      try {
        source = resolveInside(this.filesDir, path, "run file");
      } catch {
        continue;
      }
      const info = statSync(source, { throwIfNoEntry: false });
      if (!info?.isFile()) continue;
      const stamp = `${info.size}:${info.mtimeMs}`;
      if (this.sent.get(path) === stamp) continue;
      try {
        await this.client.putFile(this.address, path, source);
      } catch (error) {
        // A file the server refuses (too big, a name it rejects) must not stop the run's records.
        if (!(error instanceof IngestError) || error.code !== "SERVER_REJECTED") throw error;
        this.warn(`run file ${path} was not uploaded: ${error.message}`);
      }
      this.sent.set(path, stamp);
    }
  }
}
