import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RunlogError } from "@runlog/core";
import type { RunAddress } from "../ingest/run-writer.js";

/** A run's files (media, run.save, output.log) as the server keeps them. */
export interface RunFileStore {
  /** Stores `source` as the run's file `path` (already checked to be a safe relative path). */
  save(address: RunAddress, path: string, source: Readable, maxBytes: number): Promise<{ sha256: string; size: number }>;
  /** The file's bytes from `offset` on, and its whole size; undefined when the run has no such file. */
  open(address: RunAddress, path: string, offset: number): Promise<{ stream: Readable; size: number } | undefined>;
}

/**
 * Streams an upload to `destination`, hashing it on the way and stopping at `maxBytes`, so a
 * huge or endless body is cut off instead of filling the disk.
 */
export async function receive(source: Readable, destination: string, maxBytes: number): Promise<{ sha256: string; size: number }> {
  mkdirSync(join(destination, ".."), { recursive: true });
  const hash = createHash("sha256");
  let size = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > maxBytes) throw new RunlogError("VALUE_TOO_LARGE", `A run file may be at most ${maxBytes} bytes.`);
          hash.update(chunk);
          yield chunk;
        }
      },
      createWriteStream(destination),
    );
  } catch (error) {
    rmSync(destination, { force: true });
    throw error;
  }
  return { sha256: hash.digest("hex"), size };
}
