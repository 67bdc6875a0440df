import { buildManifest, manifestDigest } from "../manifest.js";
import { LocalObjectStore } from "../object-store.js";
import type { CommitRequest } from "../registry/version-record.js";
import { type JournalEntry, offlineRoot, readJournal } from "./journal.js";

/** Where an offline run's artifacts are committed at sync: the embedded store or a team server. */
export interface OfflineArtifactTarget {
  /** Stores one object (by SHA-256) from the run folder's copy, unless the target has it. */
  putObject(sha256: string, path: string): Promise<void>;
  /** Commits a version (the existing one for known content); returns its id and index. */
  commit(request: CommitRequest): Promise<{ id: number; versionIndex: number }>;
  /** Records `runPath` as a consumer of the version. */
  recordUse(entry: JournalEntry, version: { id: number; versionIndex: number }, runPath: string): Promise<void>;
}

export interface OfflineArtifactsResult {
  /** Versions the run logged, committed on the target. */
  readonly logged: number;
  /** Versions the run used, recorded as its inputs. */
  readonly used: number;
}

/**
 * Commits an offline run's journal on `target`, in order: each logged version with the run as its
 * producer, each used one (committed first if the target lacks it) with the run as a consumer.
 * Safe to repeat: known content maps to its existing version, lineage edges are recorded once.
 */
export async function replayOfflineArtifacts(
  runDir: string,
  runPath: string,
  target: OfflineArtifactTarget,
): Promise<OfflineArtifactsResult> {
  const entries = readJournal(runDir);
  if (entries.length === 0) return { logged: 0, used: 0 };
  const objects = new LocalObjectStore(offlineRoot(runDir));
  let logged = 0;
  let used = 0;
  for (const entry of entries) {
    for (const content of Object.values(entry.contents)) {
      const sha256 = content.extra?.sha256;
      if (content.ref === undefined && sha256 !== undefined) await target.putObject(sha256, objects.objectPath(sha256));
    }
    const manifest = buildManifest(entry.contents);
    const request: CommitRequest = {
      entity: entry.entity,
      project: entry.project,
      name: entry.name,
      type: entry.type,
      description: entry.description,
      metadata: entry.metadata,
      tags: entry.tags,
      manifest,
      digest: manifestDigest(manifest.contents),
      size: Object.values(entry.contents).reduce((sum, content) => sum + content.size, 0),
      fileCount: Object.keys(entry.contents).length,
      aliases: entry.op === "log" ? entry.aliases : [],
      runPath: entry.op === "log" ? runPath : undefined,
    };
    const version = await target.commit(request);
    if (entry.op === "log") logged++;
    else {
      await target.recordUse(entry, version, runPath);
      used++;
    }
  }
  return { logged, used };
}
