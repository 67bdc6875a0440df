import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Artifact } from "../../artifacts/artifact.js";
import type { CollectionRef, VersionRecord } from "../../artifacts/artifact-registry.js";
import { type ArtifactBackend, consumers, type LogResult, type LogTarget } from "../../artifacts/artifact-service.js";
import type { ManifestEntry } from "../../artifacts/manifest.js";
import { hashFile } from "../../artifacts/object-store.js";
import { type ArtifactProgress, progressCounter } from "../../artifacts/progress.js";
import { describeReference, fetchReference } from "../../artifacts/references.js";
import { resolveInside } from "../../artifacts/safe-path.js";
import { RunlogError } from "../../errors.js";
import { forEachLimited } from "../../util/pool.js";
import type { IngestClient } from "./ingest-client.js";

/** Files hashed, uploaded or downloaded at once. */
const CONCURRENCY = 8;

const scope = (ref: { entity: string; project: string }) =>
  `/artifacts/${encodeURIComponent(ref.entity)}/${encodeURIComponent(ref.project)}`;
const named = (ref: CollectionRef) => `${scope(ref)}/${encodeURIComponent(ref.name)}`;

/**
 * Artifacts of an online run, on the team server: files are hashed here and only content the
 * server lacks is uploaded (`PUT /api/v1/objects/<sha256>`, checked there); the version is then
 * committed in one request. Downloads stream each object and check its SHA-256 before placing it.
 */
export class RemoteArtifactService implements ArtifactBackend {
  constructor(
    private readonly client: IngestClient,
    // W&B downloads to ./artifacts/<name>:<version> unless WANDB_ARTIFACT_DIR says otherwise.
    readonly defaultDownloadRoot = process.env.RUNLOG_ARTIFACT_DIR || join(process.cwd(), "artifacts"),
  ) {}

  async log(artifact: Artifact, target: LogTarget, onProgress?: (progress: ArtifactProgress) => void): Promise<LogResult> {
    const { contents, bytesWritten } = await this.uploadFiles(artifact, true, onProgress);
    const ref = { entity: target.entity, project: target.project, name: artifact.name };
    // Incremental: the new version starts from the latest one's files.
    const base = artifact.incremental ? await this.latestContents(ref) : {};
    const result = await this.client.request<{ version: VersionRecord; created: boolean }>("POST", `${scope(ref)}/commit`, {
      json: { ...this.versionFields(artifact, target), contents: { ...base, ...contents } },
    });
    return { artifact: artifact.attach(result.version, this), created: result.created, bytesWritten };
  }

  /** Uploads the artifact's files into the pending version `distributedId` on the server (several runs may at once). */
  async upsert(artifact: Artifact, target: LogTarget, distributedId: string): Promise<Artifact> {
    const { contents } = await this.uploadFiles(artifact, true);
    const ref = { entity: target.entity, project: target.project, name: artifact.name };
    await this.client.request("POST", `${named(ref)}/upsert`, { json: { distributedId, type: artifact.type, contents } });
    return artifact;
  }

  /** Commits the pending version `distributedId` (plus this artifact's own files) on the server as one version. */
  async finish(artifact: Artifact, target: LogTarget, distributedId: string): Promise<LogResult> {
    const { contents, bytesWritten } = await this.uploadFiles(artifact, false);
    const ref = { entity: target.entity, project: target.project, name: artifact.name };
    const result = await this.client.request<{ version: VersionRecord; created: boolean }>("POST", `${named(ref)}/finish`, {
      json: { ...this.versionFields(artifact, target), distributedId, contents },
    });
    return { artifact: artifact.attach(result.version, this), created: result.created, bytesWritten };
  }

  private versionFields(artifact: Artifact, target: LogTarget) {
    return {
      name: artifact.name,
      type: artifact.type,
      description: artifact.description,
      metadata: artifact.metadata,
      tags: target.tags,
      aliases: target.aliases,
      runPath: target.runPath,
    };
  }

  /** Hashes each pending file and uploads what the server lacks; describes references. */
  private async uploadFiles(artifact: Artifact, requireFiles: boolean, onProgress?: (progress: ArtifactProgress) => void) {
    const files = [...artifact.pendingFiles()];
    const references = [...artifact.pendingReferences()];
    if (files.length === 0 && references.length === 0 && requireFiles) {
      throw new RunlogError("INVALID_ARGUMENT", `Artifact ${artifact.name} has no files; add some with addFile, addDir or newFile.`);
    }
    const contents: Record<string, ManifestEntry> = {};
    let bytesWritten = 0;
    const missing = (local: string, path: string) => (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      throw new RunlogError("INVALID_ARGUMENT", `Artifact ${artifact.name}: ${local} (entry "${path}") no longer exists.`);
    };
    const sizes = await Promise.all(files.map(([path, local]) => stat(local).then((found) => found.size, missing(local, path))));
    // By bytes sent (or found on the server already): the bar moves while one large file uploads.
    const progress = progressCounter(
      files.length,
      sizes.reduce((sum, size) => sum + size, 0),
      onProgress,
    );
    await forEachLimited(files, CONCURRENCY, async ([path, local]) => {
      const hash = await hashFile(local).catch(missing(local, path));
      const counted = progress.file();
      const known = await this.client.raw("HEAD", `/objects/${hash.sha256}`);
      if (known.status !== 200) {
        const counting = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            counted.onBytes(chunk.byteLength);
            controller.enqueue(chunk);
          },
        });
        const stream = (Readable.toWeb(createReadStream(local, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>).pipeThrough(
          counting,
        );
        await this.client.request("PUT", `/objects/${hash.sha256}`, { stream, size: hash.size });
        bytesWritten += hash.size;
      }
      contents[path] = { digest: hash.md5, size: hash.size, extra: { sha256: hash.sha256 } };
      counted.fileDone(hash.size);
    });
    await forEachLimited(references, CONCURRENCY, async ([path, reference]) => {
      Object.assign(contents, await describeReference(path, reference));
    });
    return { contents, bytesWritten };
  }

  async use(ref: CollectionRef, alias: string, runPath: string | undefined): Promise<Artifact> {
    const record = await this.client
      .request<VersionRecord>("POST", `${named(ref)}/resolve`, { json: { alias, runPath } })
      .catch((error: unknown) => {
        // The ingest client reads every 404 as a missing run; here it is the artifact (or alias) that is missing.
        if (RunlogError.isInstance(error) && error.code === "RUN_NOT_FOUND") {
          throw new RunlogError(
            "ARTIFACT_NOT_FOUND",
            `Artifact ${ref.entity}/${ref.project}/${ref.name}:${alias} was not found on the server: check the name and alias.`,
          );
        }
        throw error;
      });
    return Artifact.fromRecord(record, this);
  }

  /** Every version of a collection, oldest first. */
  async versions(ref: CollectionRef): Promise<Artifact[]> {
    const records = await this.client.request<VersionRecord[]>("GET", `${named(ref)}/versions`);
    return records.map((record) => Artifact.fromRecord(record, this));
  }

  /** The collections of a project with their version counts, by name. */
  collections(entity: string, project: string): Promise<{ name: string; type: string; kind: string; versions: number }[]> {
    return this.client.request("GET", scope({ entity, project }));
  }

  /** Versions a run (`entity/project/id`) logged (outputs) or used (inputs). */
  async runArtifacts(runPath: string, direction: "input" | "output"): Promise<Artifact[]> {
    const path = runPath.split("/").map(encodeURIComponent).join("/");
    const records = await this.client.request<VersionRecord[]>(
      "GET",
      `/runs/${path}/artifacts/${direction === "output" ? "logged" : "used"}`,
    );
    return records.map((record) => Artifact.fromRecord(record, this));
  }

  /** The lineage graph around a run or a version, to `depth` hops, as the server lets this key see it. */
  async lineage(start: { runPath: string } | { version: VersionRecord }, depth?: number) {
    let query: string;
    let where: { entity: string; project: string };
    if ("runPath" in start) {
      const [entity = "", project = "", id = ""] = start.runPath.split("/");
      where = { entity, project };
      query = `run=${encodeURIComponent(id)}`;
    } else {
      where = start.version;
      query = `version=${start.version.id}`;
    }
    if (depth !== undefined && Number.isFinite(depth)) query += `&depth=${depth}`;
    const graph = await this.client.request<{ runs: string[]; versions: VersionRecord[]; edges: { from: string; to: string }[] }>(
      "GET",
      `${scope(where)}/lineage?${query}`,
    );
    return { runs: graph.runs, artifacts: graph.versions.map((record) => Artifact.fromRecord(record, this)), edges: graph.edges };
  }

  async consumersOf(record: VersionRecord): Promise<string[]> {
    return consumers((await this.lineage({ version: record }, 0)).edges, record.id);
  }

  async link(record: VersionRecord, portfolio: CollectionRef, aliases: readonly string[]): Promise<Artifact> {
    const linked = await this.client.request<VersionRecord>("POST", `${named(portfolio)}/link`, {
      json: { versionId: record.id, aliases },
    });
    return Artifact.fromRecord(linked, this);
  }

  async addAliases(record: VersionRecord, aliases: readonly string[]): Promise<Artifact> {
    const updated = await this.client.request<VersionRecord>("POST", `${named(record)}/aliases`, {
      json: { versionId: record.id, aliases },
    });
    return Artifact.fromRecord(updated, this);
  }

  async download(record: VersionRecord, root: string, onProgress?: (progress: ArtifactProgress) => void): Promise<void> {
    const entries = Object.entries(record.manifest.contents);
    const progress = progressCounter(entries.length, record.size, onProgress);
    mkdirSync(root, { recursive: true });
    await forEachLimited(entries, CONCURRENCY, async ([path, entry]) => {
      const destination = resolveInside(root, path, "artifact entry name");
      mkdirSync(dirname(destination), { recursive: true });
      const counted = progress.file();
      if (entry.ref !== undefined) await fetchReference(entry, destination);
      else await this.fetchObject(record, path, entry, destination, counted.onBytes);
      counted.fileDone(entry.size);
    });
  }

  private async fetchObject(
    record: VersionRecord,
    path: string,
    entry: ManifestEntry,
    destination: string,
    onBytes: (bytes: number) => void,
  ): Promise<void> {
    const sha256 = entry.extra?.sha256;
    const response = sha256 === undefined ? undefined : await this.client.raw("GET", `/objects/${sha256}`);
    if (response?.body == null || !response.ok) {
      throw new RunlogError("STORE_ERROR", `Artifact ${record.name}:v${record.versionIndex}: the server has no content for "${path}".`);
    }
    const temp = `${destination}.${process.pid}.download`;
    const hash = createHash("sha256");
    try {
      await pipeline(
        Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            onBytes(chunk.length);
            yield chunk;
          }
        },
        createWriteStream(temp),
      );
      if (hash.digest("hex") !== sha256) {
        throw new RunlogError(
          "STORE_ERROR",
          `Artifact ${record.name}:v${record.versionIndex}: "${path}" arrived corrupted (SHA-256 mismatch); try again.`,
        );
      }
      renameSync(temp, destination);
    } finally {
      rmSync(temp, { force: true });
    }
  }

  private async latestContents(ref: CollectionRef): Promise<Record<string, ManifestEntry>> {
    try {
      const latest = await this.client.request<VersionRecord>("POST", `${named(ref)}/resolve`, { json: { alias: "latest" } });
      return { ...latest.manifest.contents };
    } catch (error) {
      if (RunlogError.isInstance(error) && error.code === "RUN_NOT_FOUND") return {};
      throw error;
    }
  }
}
