import type { CollectionRef, CommitRequest, ObjectStore, VersionRecord } from "@runlog/core/store-kit";
import type { ObjectGrants } from "./object-grants.js";

/** The artifact side of a server: contents in an object store, versions in a registry. */
export interface ServerArtifacts {
  readonly objects: ObjectStore;
  /** Which entity may read which object (see ObjectGrants). */
  readonly grants: ObjectGrants;
  /** Commits a version, or returns the existing one with the same content (`created: false`). */
  commit(request: CommitRequest): Promise<{ version: VersionRecord; created: boolean }>;
  /** Resolves an alias ("latest", "vN", custom) and records `runPath` as a consumer. */
  resolve(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<VersionRecord>;
  /** Links a version into a registry collection; returns it as seen through the registry. */
  link(versionId: number, portfolio: CollectionRef, aliases: readonly string[]): Promise<VersionRecord>;
  addAliases(versionId: number, aliases: readonly string[]): Promise<VersionRecord>;
  version(id: number): Promise<VersionRecord | undefined>;
  /** Every version of a collection, oldest first (a registry collection: its links, as seen through it). */
  versions(ref: CollectionRef): Promise<VersionRecord[]>;
  /** Versions a run logged (outputs) or used (inputs). */
  runArtifacts(runPath: string, direction: "input" | "output"): Promise<VersionRecord[]>;
  /** Runs and versions reachable from a run (edges run → artifact for outputs, artifact → run for inputs). */
  lineage(runPath: string): Promise<LineageGraph>;
}

export interface LineageGraph {
  readonly runs: string[];
  readonly versions: VersionRecord[];
  readonly edges: { from: string; to: string }[];
}
