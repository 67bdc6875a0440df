import { existsSync, openAsBlob } from "node:fs";
import { offlineRoot } from "../../artifacts/offline/journal.js";
import { type OfflineArtifactsResult, replayOfflineArtifacts } from "../../artifacts/offline/replay.js";
import type { VersionRecord } from "../../artifacts/registry/version-record.js";
import { RunlogError } from "../../errors.js";
import type { IngestClient, RunAddress } from "./ingest-client.js";

const scope = (ref: { entity: string; project: string }) =>
  `/artifacts/${encodeURIComponent(ref.entity)}/${encodeURIComponent(ref.project)}`;

/**
 * Uploads an offline run's artifacts to a runlog server: the objects it lacks, then each journal
 * entry as a commit (logged: with the run as producer) or a resolve (used: the run as consumer).
 */
export async function uploadOfflineArtifacts(runDir: string, address: RunAddress, client: IngestClient): Promise<OfflineArtifactsResult> {
  if (!existsSync(offlineRoot(runDir))) return { logged: 0, used: 0 };
  const runPath = `${address.entity}/${address.project}/${address.id}`;
  return replayOfflineArtifacts(runDir, runPath, {
    async putObject(sha256, path) {
      // HEAD answers 200 only for an object this key's entity may name already; else the bytes go up.
      if ((await client.raw("HEAD", `/objects/${sha256}`)).status === 200) return;
      if (!existsSync(path))
        throw new RunlogError(
          "STORE_ERROR",
          `${path} is missing: the run folder lost the content of an offline artifact (sha256 ${sha256}).`,
        );
      await client.request("PUT", `/objects/${sha256}`, { bytes: await openAsBlob(path) });
    },
    async commit(request) {
      const { manifest, digest: _digest, size: _size, fileCount: _count, entity: _e, project: _p, ...fields } = request;
      const result = await client.request<{ version: VersionRecord }>("POST", `${scope(request)}/commit`, {
        json: { ...fields, contents: manifest.contents },
      });
      return result.version;
    },
    async recordUse(entry, version, path) {
      await client.request("POST", `${scope(entry)}/${encodeURIComponent(entry.name)}/resolve`, {
        json: { alias: `v${version.versionIndex}`, runPath: path },
      });
    },
  });
}
