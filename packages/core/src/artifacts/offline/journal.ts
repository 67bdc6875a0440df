import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { RunlogError } from "../../errors.js";
import type { ManifestEntry } from "../manifest.js";
import { safeRelativePath } from "../safe-path.js";
import { validateArtifactName } from "../validate.js";

/** Where an offline run keeps its artifacts: `<run folder>/offline-artifacts/` (a private registry and objects, and the journal). */
export const OFFLINE_ARTIFACTS_DIR = "offline-artifacts";
const JOURNAL_FILE = "journal.jsonl";

/**
 * What an offline run did with an artifact, in order: a `log` (this run produced the version) or a
 * `use` (it consumed it). Each names the version's whole content, so a sync can commit it
 * wherever it goes; the objects are under `offline-artifacts/`.
 */
export interface JournalEntry {
  readonly op: "log" | "use";
  readonly entity: string;
  readonly project: string;
  readonly name: string;
  readonly type: string;
  readonly description: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly tags: readonly string[];
  /** Aliases to set (log) or the alias the run asked for (use, informational). */
  readonly aliases: readonly string[];
  readonly contents: Record<string, ManifestEntry>;
  readonly digest: string;
}

export const offlineRoot = (runDir: string) => join(runDir, OFFLINE_ARTIFACTS_DIR);
const journalPath = (runDir: string) => join(offlineRoot(runDir), JOURNAL_FILE);

/** Appends one entry and fsyncs it: once logArtifact returns, a crash does not lose it. */
export function appendJournal(runDir: string, entry: JournalEntry): void {
  mkdirSync(offlineRoot(runDir), { recursive: true });
  const fd = openSync(journalPath(runDir), "a");
  try {
    writeSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The journal's entries. A torn last line (a crash mid-append) is skipped: that call never
 * returned. Any other unreadable line is damage, answered as LOG_CORRUPT naming it.
 */
export function readJournal(runDir: string): JournalEntry[] {
  const path = journalPath(runDir);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  // The part after the last newline is empty, or the torn line of an append a crash cut short.
  const complete = text.split("\n").slice(0, -1);
  return complete.map((line, index) => {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = undefined;
    }
    if (
      !isObject(entry) ||
      (entry.op !== "log" && entry.op !== "use") ||
      typeof entry.name !== "string" ||
      typeof entry.type !== "string" ||
      !isObject(entry.contents)
    ) {
      throw new RunlogError("LOG_CORRUPT", `${path}: line ${index + 1} is not an artifact journal entry; the file was changed or damaged.`);
    }
    // What a sync will commit is checked as a logArtifact call would be (ARTIFACT_NAME_INVALID, PATH_OUTSIDE_ROOT).
    validateArtifactName(entry.name);
    for (const path of Object.keys(entry.contents)) safeRelativePath(path, "artifact entry name");
    return entry as unknown as JournalEntry;
  });
}
