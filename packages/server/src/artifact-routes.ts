import type { Api } from "@runlog/core";
import type { VersionRecord } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import type { ServerArtifacts } from "./artifacts/server-artifacts.js";
import { sendJson } from "./json-reply.js";
import type { RunParams } from "./query.js";

/** What the dashboard shows of an artifact version (no manifest: it can hold 100,000 entries). */
export function artifactSummary(record: VersionRecord) {
  return {
    id: record.id,
    qualifiedName: `${record.entity}/${record.project}/${record.name}:v${record.versionIndex}`,
    name: record.name,
    type: record.type,
    version: `v${record.versionIndex}`,
    aliases: record.aliases,
    tags: record.tags,
    digest: record.digest,
    size: record.size,
    fileCount: record.fileCount,
    description: record.description,
    metadata: record.metadata,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
  };
}

/** A run's logged and used artifacts, and the lineage graph around it. */
export function registerArtifactRoutes(app: FastifyInstance, api: Api, artifacts: ServerArtifacts): void {
  const pathOf = (p: RunParams) => `${p.entity}/${p.project}/${p.id}`;

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/artifacts", async (request, reply) => {
    const path = pathOf(request.params);
    await api.run(path); // 404 for an unknown run
    const [logged, used] = await Promise.all([artifacts.runArtifacts(path, "output"), artifacts.runArtifacts(path, "input")]);
    return sendJson(reply, { logged: logged.map(artifactSummary), used: used.map(artifactSummary) });
  });

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/lineage", async (request, reply) => {
    const path = pathOf(request.params);
    await api.run(path);
    const graph = await artifacts.lineage(path);
    return sendJson(reply, { runs: graph.runs, artifacts: graph.versions.map(artifactSummary), edges: graph.edges });
  });
}
