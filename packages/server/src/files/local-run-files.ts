import { createReadStream, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { readRunAddress, resolveInside, runFolder } from "@runlog/core/store-kit";
import type { RunAddress } from "../ingest/run-writer.js";
import { type RunFileStore, receive } from "./run-files.js";

/** How many runs, in any entity or project, have this id. */
export type RunsWithId = (id: string) => Promise<number>;

/**
 * Files of runs in the embedded store: `<run folder>/files/<path>` (core's `runFolder`:
 * `runs/<entity>/<project>/<id>`), where local runs keep theirs, so two entities' runs with the
 * same id never share a file. Servers before this layout wrote `runs/<id>/files` without a
 * `run.json`; such files stay readable, but only for a run whose id no other run has: that
 * folder does not say whose it is.
 */
export class LocalRunFiles implements RunFileStore {
  constructor(
    private readonly root: string,
    private readonly runsWithId: RunsWithId,
  ) {}

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
    const scoped = this.file(resolveInside(this.filesDir(address), path, "file path"), offset);
    if (scoped !== undefined) return scoped;
    const legacyRun = resolveInside(join(this.root, "runs"), address.id, "run id");
    // A folder with a run.json names its run, and runFolder has already moved it if it is this one.
    if (readRunAddress(legacyRun) !== undefined) return undefined;
    const legacy = resolveInside(join(legacyRun, "files"), path, "file path");
    if (statSync(legacy, { throwIfNoEntry: false })?.isFile() !== true || (await this.runsWithId(address.id)) !== 1) return undefined;
    return this.file(legacy, offset);
  }

  private file(path: string, offset: number) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    return { stream: createReadStream(path, { start: Math.min(offset, info.size) }) as Readable, size: info.size };
  }
}
