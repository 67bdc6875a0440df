import { userInfo } from "node:os";
import { join } from "node:path";
import { Artifact } from "../artifacts/artifact.js";
import type { CollectionRef, VersionRecord } from "../artifacts/artifact-registry.js";
import { type ArtifactBackend, ArtifactService } from "../artifacts/artifact-service.js";
import { parseArtifactPath } from "../artifacts/validate.js";
import { describeValue, RunlogError } from "../errors.js";
import { IngestClient } from "../store/online/ingest-client.js";
import { RemoteArtifactService } from "../store/online/remote-artifacts.js";
import { openStoreReader, storeRoot } from "../store/open-reader.js";
import { DB_FILE } from "../store/sqlite/database.js";
import type { StoreReader } from "../store/store.js";
import { validateRunId, validateScopeName } from "../util/names.js";
import { ApiRun } from "./api-run.js";
import { matchesFilter, type RunFilter, sortRuns } from "./filters.js";

export interface ApiOptions {
  /** Root folder of the embedded store (default RUNLOG_DIR or ./runlog). */
  dir?: string;
  /** A runlog server (`runlog ui`) to read instead of the embedded store, e.g. "http://127.0.0.1:6006". */
  baseUrl?: string;
  /** The server's API key (default RUNLOG_API_KEY); needed when it is not on loopback. */
  apiKey?: string;
  /** Any other store (the team server passes its PostgreSQL reader); artifacts are then unavailable. */
  reader?: StoreReader;
}

/** An artifact collection as `Api.artifactCollections` lists it. */
export interface CollectionSummary {
  readonly name: string;
  readonly type: string;
  /** "sequence" for logged versions, "portfolio" for a registry collection of links. */
  readonly kind: string;
  readonly versions: number;
}

function defaultEntity(): string {
  if (process.env.RUNLOG_ENTITY) return process.env.RUNLOG_ENTITY;
  try {
    return userInfo().username || "local";
  } catch {
    return "local";
  }
}

/** The read side, like W&B's `wandb.Api()`: list and inspect runs of a store. */
export class Api {
  private reader: StoreReader | undefined;
  private readonly root: string;
  private readonly remote: { baseUrl: string; apiKey: string | undefined } | { label: string } | undefined;

  constructor(options: ApiOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new RunlogError("INVALID_ARGUMENT", `Api options must be an object like { dir }, got ${describeValue(options)}.`);
    }
    this.root = storeRoot(options.dir);
    if (options.reader !== undefined) {
      this.reader = options.reader;
      this.remote = { label: "the server's store" };
    } else if (options.baseUrl !== undefined) {
      this.remote = { baseUrl: options.baseUrl, apiKey: options.apiKey };
      this.reader = openStoreReader(this.remote); // validates the URL now
    }
  }

  private get store(): StoreReader {
    this.reader ??= openStoreReader({ dir: this.root });
    return this.reader;
  }

  private get where(): string {
    if (this.remote === undefined) return join(this.root, DB_FILE);
    return "baseUrl" in this.remote ? this.remote.baseUrl : this.remote.label;
  }

  /** The embedded store's root, where run folders live; undefined for a remote store. */
  private get localRoot(): string | undefined {
    return this.remote === undefined ? this.root : undefined;
  }

  private get artifacts(): ArtifactService {
    if (this.remote !== undefined) {
      throw new RunlogError(
        "MODE_UNAVAILABLE",
        "This Api reads a store handed to it, without artifacts; use new Api({ baseUrl }) or new Api({ dir }) to read artifacts.",
      );
    }
    return new ArtifactService(this.root);
  }

  /** The team server's artifacts for `{ baseUrl }`; undefined for the embedded store. */
  private get server(): RemoteArtifactService | undefined {
    if (this.remote === undefined || !("baseUrl" in this.remote)) return undefined;
    return new RemoteArtifactService(new IngestClient(this.remote.baseUrl, this.remote.apiKey ?? process.env.RUNLOG_API_KEY));
  }

  /** Where `artifact()` resolves versions and downloads files: the server for `{ baseUrl }`, else the embedded store. */
  private get artifactSource(): ArtifactBackend {
    return this.server ?? this.artifacts;
  }

  /**
   * An artifact version by `[entity/][project/]name[:alias|:vN]` (default alias `latest`); with
   * `{ baseUrl }` it is read from the server (its resolve route needs a write key where keys are
   * required), and `download()` fetches and checks its files from there.
   */
  async artifact(path: string): Promise<Artifact> {
    return this.artifactSource.use(collectionOf(path), parseArtifactPath(path).alias, undefined);
  }

  /** The artifacts of `"entity/project"` (or `"project"`): name, type, kind and number of versions, by name. */
  async artifactCollections(path: string, options: { type?: string } = {}): Promise<CollectionSummary[]> {
    const parts = splitPath(path, 2);
    const [entity, project] = (parts.length === 2 ? parts : [defaultEntity(), parts[0]]).map((part, i) =>
      validateScopeName(i === 0 ? "entity" : "project", part),
    ) as [string, string];
    const server = this.server;
    const all = server
      ? await server.collections(entity, project)
      : this.artifacts.with((registry) => registry.collections(entity, project));
    return options.type === undefined ? all : all.filter((collection) => collection.type === options.type);
  }

  /** One artifact collection by `"[entity/][project/]name"`; ARTIFACT_NOT_FOUND when nothing was logged under that name. */
  async artifactCollection(path: string): Promise<CollectionSummary & { entity: string; project: string }> {
    const ref = collectionOf(path);
    if (path.includes(":"))
      throw new RunlogError("INVALID_ARGUMENT", `artifactCollection names a collection, without ":alias" (got ${describeValue(path)}).`);
    const found = (await this.artifactCollections(`${ref.entity}/${ref.project}`)).find((collection) => collection.name === ref.name);
    if (found === undefined)
      throw new RunlogError("ARTIFACT_NOT_FOUND", `No artifact named ${ref.name} was logged in ${ref.entity}/${ref.project}.`);
    return { entity: ref.entity, project: ref.project, ...found };
  }

  /** The artifact types used in `"entity/project"` (or `"project"`), each with its collections' names. */
  async artifactTypes(path: string): Promise<{ name: string; collections: string[] }[]> {
    const byType = new Map<string, string[]>();
    for (const collection of await this.artifactCollections(path)) {
      byType.set(collection.type, [...(byType.get(collection.type) ?? []), collection.name]);
    }
    return [...byType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, collections]) => ({ name, collections }));
  }

  /** Every version of an artifact, oldest first. */
  async artifactVersions(path: string): Promise<Artifact[]> {
    const ref = collectionOf(path);
    const server = this.server;
    if (server !== undefined) return server.versions(ref);
    const service = this.artifacts;
    return service.with((registry) => registry.versions(ref)).map((record) => Artifact.fromRecord(record, service));
  }

  /**
   * W&B's `artifact_exists`: whether `[entity/][project/]name[:alias|:vN]` names a version. Read
   * from the version list (a read key is enough over HTTP); bad names still throw.
   */
  async artifactExists(path: string): Promise<boolean> {
    const { alias } = parseArtifactPath(path);
    const numbered = /^v(\d+)$/.exec(alias);
    return (await this.artifactVersions(path)).some((version) => (numbered ? version.version === alias : version.aliases.includes(alias)));
  }

  /** W&B's `artifact_collection_exists`: whether anything was logged (or linked) under `[entity/][project/]name`. */
  async artifactCollectionExists(path: string): Promise<boolean> {
    return (await this.artifactVersions(path)).length > 0;
  }

  /**
   * The lineage graph around a run (`"entity/project/id"`) or a logged artifact, to `depth`
   * hops (default: everything reachable). Edges go run → artifact (output) and artifact → run (input).
   */
  async lineage(start: string | Artifact, options: { depth?: number } = {}) {
    const depth = options.depth;
    if (
      depth !== undefined &&
      !(typeof depth === "number" && depth >= 0 && (Number.isSafeInteger(depth) || depth === Number.POSITIVE_INFINITY))
    )
      throw new RunlogError("INVALID_ARGUMENT", `lineage: depth must be a whole number of hops, got ${describeValue(depth)}.`);
    let from: { runPath: string } | { versionId: number; record: VersionRecord };
    if (typeof start === "string") {
      const parts = splitPath(start, 3);
      if (parts.length !== 3)
        throw new RunlogError("INVALID_ARGUMENT", `lineage: name a run as "entity/project/id", got ${describeValue(start)}.`);
      from = { runPath: start };
    } else {
      const record = start instanceof Artifact ? start.record : undefined;
      if (record === undefined) throw new RunlogError("INVALID_ARGUMENT", "lineage: the artifact is a draft; log or use it first.");
      from = { versionId: record.id, record };
    }
    const server = this.server;
    if (server !== undefined) return server.lineage("runPath" in from ? from : { version: from.record }, depth);
    const service = this.artifacts;
    const graph = service.with((registry) => registry.lineage("runPath" in from ? from : { versionId: from.versionId }, depth));
    return { runs: graph.runs, artifacts: graph.versions.map((record) => Artifact.fromRecord(record, service)), edges: graph.edges };
  }

  /** A run's logged (output) or used (input) artifacts, from the server or the embedded store. */
  private runArtifacts = async (runPath: string, direction: "input" | "output"): Promise<Artifact[]> => {
    const server = this.server;
    if (server !== undefined) return server.runArtifacts(runPath, direction);
    const service = this.artifacts;
    return service.with((registry) => registry.runArtifacts(runPath, direction)).map((record) => Artifact.fromRecord(record, service));
  };

  async projects(): Promise<{ entity: string; name: string; createdAt: number; runCount: number }[]> {
    return this.store.listProjects();
  }

  /** Runs of `"entity/project"` (or `"project"`), filtered and ordered (default newest first). */
  async runs(path: string, options: { filters?: RunFilter; order?: string } = {}): Promise<ApiRun[]> {
    const parts = splitPath(path, 2);
    const [entity, project] = parts.length === 2 ? parts : [defaultEntity(), parts[0]];
    const views = await this.store.listRuns(validateScopeName("entity", entity), validateScopeName("project", project));
    const filtered = options.filters === undefined ? views : views.filter((view) => matchesFilter(view, options.filters as RunFilter));
    return sortRuns(filtered, options.order ?? "-createdAt").map((view) => new ApiRun(this.store, view, this.runArtifacts, this.localRoot));
  }

  /** One run by `"entity/project/id"` (or `"project/id"`). */
  async run(path: string): Promise<ApiRun> {
    const parts = splitPath(path, 3);
    const [entity, project, id] = parts.length === 3 ? parts : [defaultEntity(), ...parts];
    if (parts.length < 2) throw new RunlogError("INVALID_ARGUMENT", `Run paths look like "entity/project/id", got ${describeValue(path)}.`);
    const view = await this.store.getRun(validateScopeName("entity", entity), validateScopeName("project", project), validateRunId(id));
    if (view === undefined) throw new RunlogError("RUN_NOT_FOUND", `Run ${entity}/${project}/${id} was not found in ${this.where}.`);
    return new ApiRun(this.store, view, this.runArtifacts, this.localRoot);
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
}

/** `[entity/][project/]name[:alias]` as a collection (entity: RUNLOG_ENTITY or the user; project: "uncategorized"). */
function collectionOf(path: string): CollectionRef {
  const parsed = parseArtifactPath(path);
  return { entity: parsed.entity ?? defaultEntity(), project: parsed.project ?? "uncategorized", name: parsed.name };
}

function splitPath(path: unknown, max: number): string[] {
  if (typeof path !== "string" || path.length === 0 || path.length > 512) {
    throw new RunlogError("INVALID_ARGUMENT", `Expected a path like "entity/project", got ${describeValue(path)}.`);
  }
  const parts = path.split("/");
  if (parts.length > max || parts.some((part) => part.length === 0)) {
    throw new RunlogError(
      "INVALID_ARGUMENT",
      `Invalid path ${describeValue(path)}: expected at most ${max} non-empty parts separated by "/".`,
    );
  }
  return parts;
}
