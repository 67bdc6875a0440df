import type { Api, Artifact } from "@runlog/core";
import type { FastifyInstance } from "fastify";
import { sendJson } from "./json-reply.js";
import type { RunParams } from "./query.js";

/** What the dashboard shows of an artifact version (no manifest: it can hold 100,000 entries). */
export function artifactSummary(artifact: Artifact) {
  const record = artifact.record;
  return {
    id: record?.id,
    qualifiedName: artifact.qualifiedName,
    name: artifact.name,
    type: artifact.type,
    version: artifact.version,
    aliases: artifact.aliases,
    tags: artifact.tags,
    digest: record?.digest,
    size: record?.size,
    fileCount: record?.fileCount,
    description: artifact.description,
    metadata: artifact.metadata,
    createdBy: record?.createdBy,
    createdAt: record?.createdAt,
  };
}

/** A run's logged and used artifacts, and the lineage graph around it. */
export function registerArtifactRoutes(app: FastifyInstance, api: Api): void {
  const pathOf = (p: RunParams) => `${p.entity}/${p.project}/${p.id}`;

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/artifacts", async (request, reply) => {
    const run = await api.run(pathOf(request.params));
    const [logged, used] = await Promise.all([run.loggedArtifacts(), run.usedArtifacts()]);
    return sendJson(reply, { logged: logged.map(artifactSummary), used: used.map(artifactSummary) });
  });

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/lineage", async (request, reply) => {
    const path = pathOf(request.params);
    await api.run(path); // 404 for an unknown run
    const graph = await api.lineage(path);
    return sendJson(reply, { runs: graph.runs, artifacts: graph.artifacts.map(artifactSummary), edges: graph.edges });
  });
}
