import { existsSync } from "node:fs";
import { RunlogError } from "../../errors.js";
import { ArtifactService } from "../artifact-service.js";
import { offlineRoot } from "./journal.js";
import { type OfflineArtifactsResult, replayOfflineArtifacts } from "./replay.js";

/** Commits an offline run's artifacts into the embedded store of `root` (see replayOfflineArtifacts). */
export async function syncOfflineArtifacts(runDir: string, runPath: string, root: string): Promise<OfflineArtifactsResult> {
  if (!existsSync(offlineRoot(runDir))) return { logged: 0, used: 0 };
  const service = new ArtifactService(root);
  return replayOfflineArtifacts(runDir, runPath, {
    async putObject(sha256, path) {
      if (service.objects.has(sha256)) return;
      if (!existsSync(path))
        throw new RunlogError(
          "STORE_ERROR",
          `${path} is missing: the run folder lost the content of an offline artifact (sha256 ${sha256}).`,
        );
      await service.objects.put(path);
      await service.objects.sync();
    },
    async commit(request) {
      return service.with((registry) => registry.commit(request)).version;
    },
    async recordUse(_entry, version, path) {
      service.with((registry) => registry.recordLineage(path, version.id, "input"));
    },
  });
}
