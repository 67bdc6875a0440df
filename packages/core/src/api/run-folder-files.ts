import { type Dirent, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FileView } from "../store/store.js";

// A run folder is flat enough that this bound is never reached by a real run; it stops a
// pathological tree (or a loop we failed to see) from hanging the files listing.
const MAX_DEPTH = 32;

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // no files folder yet (a run that wrote nothing), or it vanished while listing
  }
}

/**
 * Every regular file under a run's files folder (media, files written into `run.dir`, saved
 * files, code), as FileViews with forward-slash paths relative to it. Symlinks are not followed,
 * so nothing outside the folder is ever listed.
 */
export function filesOnDisk(filesDir: string): FileView[] {
  const found: FileView[] = [];
  const walk = (dir: string, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const entry of entries(dir)) {
      const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      const absolute = join(dir, entry.name);
      if (entry.isDirectory()) walk(absolute, path, depth + 1);
      else if (entry.isFile()) {
        const info = statSync(absolute, { throwIfNoEntry: false });
        if (info !== undefined) found.push({ path, size: info.size, sha256: undefined, updatedAt: info.mtimeMs / 1000 });
      }
    }
  };
  walk(filesDir, "", 0);
  return found;
}

/** The store's file rows, plus each file on disk the store has no row for; sorted by path, each path once. */
export function mergeFileViews(recorded: readonly FileView[], onDisk: readonly FileView[]): FileView[] {
  const byPath = new Map<string, FileView>();
  for (const file of onDisk) byPath.set(file.path, file);
  // A recorded row wins: it carries the hash, and its size is what the run recorded.
  for (const file of recorded) byPath.set(file.path, file);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
