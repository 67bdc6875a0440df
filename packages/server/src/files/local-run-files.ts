import { createReadStream, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { resolveInside, runFolder } from "@runlog/core/store-kit";
import type { RunAddress } from "../ingest/run-writer.js";
import { type RunFileStore, receive } from "./run-files.js";

/** Files of runs in the embedded store: `<run folder>/files/<path>`, where local runs keep theirs. */
export class LocalRunFiles implements RunFileStore {
  constructor(private readonly root: string) {}

  private filesDir(address: RunAddress): string {
    return join(runFolder(this.root, address), "files");
  }

  async save(address: RunAddress, path: string, source: Readable, maxBytes: number) {
    const destination = resolveInside(this.filesDir(address), path, "file path");
    const temp = `${destination}.${process.pid}.upload`;
    const result = await receive(source, temp, maxBytes);
    renameSync(temp, destination);
    return result;
  }

  async open(address: RunAddress, path: string, offset: number) {
    const file = resolveInside(this.filesDir(address), path, "file path");
    const info = statSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    return { stream: createReadStream(file, { start: Math.min(offset, info.size) }) as Readable, size: info.size };
  }
}
