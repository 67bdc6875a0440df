import { existsSync } from "node:fs";
import { join } from "node:path";
import { RunlogError } from "../../errors.js";
import { DB_FILE } from "../../store/sqlite/database.js";
import type { Artifact } from "../artifact.js";
import type { CollectionRef, VersionRecord } from "../artifact-registry.js";
import { type ArtifactBackend, ArtifactService, type LogResult, type LogTarget } from "../artifact-service.js";
import type { ArtifactProgress } from "../progress.js";
import { appendJournal, type JournalEntry, offlineRoot } from "./journal.js";

/**
 * Artifacts of an offline run, as W&B allows them: `logArtifact` stores the files and a version in
 * a registry of the run's own (`<run folder>/offline-artifacts/`) and journals it; `useArtifact`
 * resolves what this run logged, else what the embedded store of this machine holds (its objects
 * are copied in, so the run folder alone can be synced). `runlog sync` later commits the journal
 * on the target with lineage. Version numbers shown offline are the run's own; the target numbers
 * them at sync.
 */
export class OfflineArtifactService implements ArtifactBackend {
  private readonly own: ArtifactService;

  constructor(
    private readonly runDir: string,
    /** The runlog root whose embedded store `useArtifact` may read (nothing is written there). */
    private readonly storeRoot: string,
    readonly defaultDownloadRoot = process.env.RUNLOG_ARTIFACT_DIR || join(process.cwd(), "artifacts"),
  ) {
    this.own = new ArtifactService(offlineRoot(runDir), defaultDownloadRoot);
  }

  async log(artifact: Artifact, target: LogTarget, onProgress?: (progress: ArtifactProgress) => void): Promise<LogResult> {
    const result = await this.own.log(artifact, target, onProgress);
    this.journal("log", result.artifact.record as VersionRecord, target.aliases);
    return result;
  }

  async use(ref: CollectionRef, alias: string, _runPath: string | undefined): Promise<Artifact> {
    const wanted = "digest" in ref ? (ref as VersionRecord).digest : undefined;
    // What this run logged first: the latest it made is what a later use of the name means here.
    const mine = await this.own.use(ref, alias, undefined).catch(notFound);
    if (mine?.record !== undefined && (wanted === undefined || mine.record.digest === wanted)) {
      this.journal("use", mine.record, [alias]);
      return mine;
    }
    const store = existsSync(join(this.storeRoot, DB_FILE)) ? new ArtifactService(this.storeRoot, this.defaultDownloadRoot) : undefined;
    const theirs = store === undefined ? undefined : await store.use(ref, alias, undefined).catch(notFound);
    const record = theirs?.record;
    if (store === undefined || theirs === undefined || record === undefined) {
      throw new RunlogError(
        "ARTIFACT_NOT_FOUND",
        `Artifact ${ref.entity}/${ref.project}/${ref.name}:${alias} is not on this machine: an offline run uses what it logged itself or what the store in ${this.storeRoot} holds. Use it in a local or online run, or download it into that store first.`,
      );
    }
    // The run folder carries the content it used, so a sync elsewhere can commit the version.
    for (const entry of Object.values(record.manifest.contents)) {
      const sha256 = entry.extra?.sha256;
      if (entry.ref === undefined && sha256 !== undefined) await this.own.objects.put(store.objects.objectPath(sha256));
    }
    await this.own.objects.sync();
    this.journal("use", record, [alias]);
    return theirs;
  }

  async upsert(): Promise<Artifact> {
    throw unavailable("upsertArtifact");
  }

  async finish(): Promise<LogResult> {
    throw unavailable("finishArtifact");
  }

  async link(): Promise<Artifact> {
    throw unavailable("linkArtifact");
  }

  async addAliases(): Promise<Artifact> {
    throw new RunlogError(
      "MODE_UNAVAILABLE",
      "useArtifact(…, { aliases }) changes the version's aliases in the store; an offline run cannot. Give the aliases to logArtifact, or use it in a local or online run.",
    );
  }

  /** What the run folder's registry knows: no uses are recorded there (they are journalled for the sync). */
  consumersOf(record: VersionRecord): Promise<string[]> {
    return this.own.consumersOf(record);
  }

  download(record: VersionRecord, root: string, onProgress?: (progress: ArtifactProgress) => void): Promise<void> {
    return this.own.download(record, root, onProgress);
  }

  private journal(op: JournalEntry["op"], record: VersionRecord, aliases: readonly string[]): void {
    appendJournal(this.runDir, {
      op,
      entity: record.entity,
      project: record.project,
      name: record.name,
      type: record.type,
      description: record.description,
      metadata: record.metadata,
      tags: record.tags,
      aliases,
      contents: record.manifest.contents,
      digest: record.digest,
    });
  }
}

function notFound(error: unknown): undefined {
  if (RunlogError.isInstance(error) && error.code === "ARTIFACT_NOT_FOUND") return undefined;
  throw error;
}

function unavailable(what: string): RunlogError {
  return new RunlogError(
    "MODE_UNAVAILABLE",
    `${what} needs the store or a server: an offline run can logArtifact and useArtifact (synced later by \`runlog sync\`), not ${what}. Use mode "local" or "online".`,
  );
}
