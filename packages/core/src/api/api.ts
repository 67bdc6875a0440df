import { userInfo } from "node:os";
import { join } from "node:path";
import { Artifact } from "../artifacts/artifact.js";
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
        "Artifacts are read from the embedded store only for now; use new Api({ dir }) on the machine that holds them.",
      );
    }
    return new ArtifactService(this.root);
  }

  /** Where `artifact()` resolves versions and downloads files: the server for `{ baseUrl }`, else the embedded store. */
  private get artifactSource(): ArtifactBackend {
    if (this.remote !== undefined && "baseUrl" in this.remote) {
      return new RemoteArtifactService(new IngestClient(this.remote.baseUrl, this.remote.apiKey ?? process.env.RUNLOG_API_KEY));
    }
    return this.artifacts;
  }

  /**
   * An artifact version by `[entity/][project/]name[:alias|:vN]` (default alias `latest`); with
   * `{ baseUrl }` it is read from the server (its resolve route needs a write key where keys are
   * required), and `download()` fetches and checks its files from there.
   */
  async artifact(path: string): Promise<Artifact> {
    const parsed = parseArtifactPath(path);
    const ref = { entity: parsed.entity ?? defaultEntity(), project: parsed.project ?? "uncategorized", name: parsed.name };
    return this.artifactSource.use(ref, parsed.alias, undefined);
  }

  /** The artifacts of `"entity/project"` (or `"project"`): name, type, kind and number of versions. */
  async artifactCollections(path: string): Promise<{ name: string; type: string; kind: string; versions: number }[]> {
    const parts = splitPath(path, 2);
    const [entity, project] = parts.length === 2 ? parts : [defaultEntity(), parts[0]];
    return this.artifacts.with((registry) =>
      registry.collections(validateScopeName("entity", entity), validateScopeName("project", project)),
    );
  }

  /** Every version of an artifact, oldest first. */
  async artifactVersions(path: string): Promise<Artifact[]> {
    const parsed = parseArtifactPath(path);
    const ref = { entity: parsed.entity ?? defaultEntity(), project: parsed.project ?? "uncategorized", name: parsed.name };
    const source = this.artifactSource;
    if (source instanceof RemoteArtifactService) return source.versions(ref);
    const service = this.artifacts;
    return service.with((registry) => registry.versions(ref)).map((record) => Artifact.fromRecord(record, service));
  }

  /**
   * The lineage graph around a run (`"entity/project/id"`) or a logged artifact, to `depth`
   * hops (default: everything reachable). Edges go run → artifact (output) and artifact → run (input).
   */
  async lineage(start: string | Artifact, options: { depth?: number } = {}) {
    const service = this.artifacts;
    let from: { runPath: string } | { versionId: number };
    if (typeof start === "string") {
      splitPath(start, 3);
      from = { runPath: start };
    } else {
      const record = start.record;
      if (record === undefined) throw new RunlogError("INVALID_ARGUMENT", "lineage: the artifact is a draft; log or use it first.");
      from = { versionId: record.id };
    }
    const graph = service.with((registry) => registry.lineage(from, options.depth));
    return { runs: graph.runs, artifacts: graph.versions.map((record) => Artifact.fromRecord(record, service)), edges: graph.edges };
  }

  async projects(): Promise<{ entity: string; name: string; createdAt: number; runCount: number }[]> {
    return this.store.listProjects();
  }

  /** Runs of `"entity/project"` (or `"project"`), filtered and ordered (default newest first). */
  async runs(path: string, options: { filters?: RunFilter; order?: string } = {}): Promise<ApiRun[]> {
    const parts = splitPath(path, 2);
    const [entity, project] = parts.length === 2 ? parts : [defaultEntity(), parts[0]];
    const views = await this.store.listRuns(validateScopeName("entity", entity), validateScopeName("project", project));
    const filtered = options.filters === undefined ? views : views.filter((view) => matchesFilter(view, options.filters as RunFilter));
    return sortRuns(filtered, options.order ?? "-createdAt").map(
      (view) => new ApiRun(this.store, view, () => this.artifacts, this.localRoot),
    );
  }

  /** One run by `"entity/project/id"` (or `"project/id"`). */
  async run(path: string): Promise<ApiRun> {
    const parts = splitPath(path, 3);
    const [entity, project, id] = parts.length === 3 ? parts : [defaultEntity(), ...parts];
    if (parts.length < 2) throw new RunlogError("INVALID_ARGUMENT", `Run paths look like "entity/project/id", got ${describeValue(path)}.`);
    const view = await this.store.getRun(validateScopeName("entity", entity), validateScopeName("project", project), validateRunId(id));
    if (view === undefined) throw new RunlogError("RUN_NOT_FOUND", `Run ${entity}/${project}/${id} was not found in ${this.where}.`);
    return new ApiRun(this.store, view, () => this.artifacts, this.localRoot);
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }
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
