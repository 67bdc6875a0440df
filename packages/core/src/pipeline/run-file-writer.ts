import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

type Writer = (path: string, bytes: Uint8Array) => void;

/**
 * Media files (images, audio, tables …) are written while `run.log` runs. A live run registers its
 * pipeline here, keyed by its files folder, so a full disk degrades the run (the bytes wait, bounded,
 * and are retried) instead of throwing from `run.log`. Without a run (tests, tools) files are written at once.
 */
const writers = new Map<string, Writer>();

export function setRunFileWriter(filesDir: string, writer: Writer | undefined): void {
  if (writer === undefined) writers.delete(filesDir);
  else writers.set(filesDir, writer);
}

export function writeFileNow(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** Writes `bytes` to `path`, a file under the run folder `filesDir`. */
export function writeRunFile(filesDir: string, path: string, bytes: Uint8Array): void {
  (writers.get(filesDir) ?? writeFileNow)(path, bytes);
}
