import { buildManifest, type CommitRequest } from "@runlog/core/store-kit";

/** A version commit of `lab/models/mlp` whose content is `digest` (what two writers race to number). */
export function commitRequest(digest: string, aliases: readonly string[] = []): CommitRequest {
  return {
    entity: "lab",
    project: "models",
    name: "mlp",
    type: "model",
    description: undefined,
    metadata: { writer: digest },
    tags: [],
    manifest: buildManifest({ "model.onnx": { digest, size: digest.length } }),
    digest,
    size: digest.length,
    fileCount: 1,
    aliases,
    runPath: undefined,
  };
}
