import { RunlogError } from "@runlog/core";
import {
  buildManifest,
  type CollectionRef,
  type CommitRequest,
  type ManifestEntry,
  manifestDigest,
  type ObjectStore,
  type VersionRecord,
} from "@runlog/core/store-kit";
import type { ObjectGrants } from "./object-grants.js";

/** A commit without its content: `finishDraft` adds the content the draft collected. */
export type DraftCommit = Omit<CommitRequest, "manifest" | "digest" | "size" | "fileCount">;

/** A collection of a project, as `Api.artifactCollections` lists it. */
export interface CollectionSummary {
  readonly name: string;
  readonly type: string;
  readonly kind: string;
  readonly versions: number;
}

export type LineageStart = { readonly runPath: string } | { readonly versionId: number };

/** The artifact side of a server: contents in an object store, versions in a registry. */
export interface ServerArtifacts {
  readonly objects: ObjectStore;
  /** Which entity may read which object (see ObjectGrants). */
  readonly grants: ObjectGrants;
  /** Commits a version, or returns the existing one with the same content (`created: false`). */
  commit(request: CommitRequest): Promise<{ version: VersionRecord; created: boolean }>;
  /** Adds files to the pending version `distributedId` of a collection (upsertArtifact; several runs at once). */
  upsertDraft(ref: CollectionRef, distributedId: string, type: string, contents: Readonly<Record<string, ManifestEntry>>): Promise<void>;
  /**
   * Commits the pending version `distributedId` plus `contents` as one version, in one transaction
   * (finishArtifact); INVALID_ARGUMENT when there is nothing to commit.
   */
  finishDraft(
    request: DraftCommit,
    distributedId: string,
    contents: Readonly<Record<string, ManifestEntry>>,
  ): Promise<{ version: VersionRecord; created: boolean }>;
  /** Resolves an alias ("latest", "vN", custom) and records `runPath` as a consumer. */
  resolve(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<VersionRecord>;
  /** Links a version into a registry collection; returns it as seen through the registry. */
  link(versionId: number, portfolio: CollectionRef, aliases: readonly string[]): Promise<VersionRecord>;
  addAliases(versionId: number, aliases: readonly string[]): Promise<VersionRecord>;
  version(id: number): Promise<VersionRecord | undefined>;
  /** Every version of a collection, oldest first (a registry collection: its links, as seen through it). */
  versions(ref: CollectionRef): Promise<VersionRecord[]>;
  /** The collections of a project with their version counts, by name. */
  collections(entity: string, project: string): Promise<CollectionSummary[]>;
  /** Versions a run logged (outputs) or used (inputs). */
  runArtifacts(runPath: string, direction: "input" | "output"): Promise<VersionRecord[]>;
  /** Runs and versions reachable from a run or a version, to `depth` hops (edges run → artifact for outputs, artifact → run for inputs). */
  lineage(start: LineageStart, depth?: number): Promise<LineageGraph>;
}

export interface LineageGraph {
  readonly runs: string[];
  readonly versions: VersionRecord[];
  readonly edges: { from: string; to: string }[];
}

/** A full commit request from a draft's merged files: manifest, digest, size and count. */
export function draftCommitRequest(request: DraftCommit, contents: Record<string, ManifestEntry>, distributedId: string): CommitRequest {
  const paths = Object.keys(contents);
  if (paths.length === 0)
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `finishArtifact: nothing was upserted into ${request.name} under distributedId "${distributedId.slice(0, 256)}".`,
    );
  const manifest = buildManifest(contents);
  return {
    ...request,
    manifest,
    digest: manifestDigest(manifest.contents),
    size: paths.reduce((sum, path) => sum + (contents[path] as ManifestEntry).size, 0),
    fileCount: paths.length,
  };
}
