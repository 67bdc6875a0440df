import { createHash } from "node:crypto";
import { join } from "node:path";
import { RunlogError } from "../errors.js";
import { writeRunFile } from "../pipeline/run-file-writer.js";
import type { HistoryContext } from "./loggable.js";

/**
 * Writes a media file the way W&B lays it out, `media/<kind>/<key>_<step>_<sha256[:20]>.<ext>`
 * under the run's files folder, and returns the history value that points at it. A panel reads
 * one step's media from that step's history row and this path, without loading all history.
 */
export function writeMedia(
  context: HistoryContext,
  kind: string,
  ext: string,
  bytes: Uint8Array,
): { path: string; sha256: string; size: number } {
  if (context.runDir === "") throw new RunlogError("INVALID_ARGUMENT", "Media can only be logged to a run.");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const safeKey = context.key.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 100);
  const path = `media/${kind}/${safeKey}_${context.step}_${sha256.slice(0, 20)}.${ext}`;
  const full = join(context.runDir, ...path.split("/"));
  writeRunFile(context.runDir, full, bytes);
  return { path, sha256, size: bytes.byteLength };
}
