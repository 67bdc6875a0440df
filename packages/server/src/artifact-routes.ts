import { type Api, RunlogError } from "@runlog/core";
import type { VersionRecord } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import type { LineageGraph, LineageStart, ServerArtifacts } from "./artifacts/server-artifacts.js";
import { sendJson } from "./json-reply.js";
import { intParam, type Query, type RunParams } from "./query.js";

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
    const graph = await artifacts.lineage({ runPath: path });
    return sendJson(reply, { runs: graph.runs, artifacts: graph.versions.map(artifactSummary), edges: graph.edges });
  });

  // The read API's artifact side (new Api({ baseUrl })): full version records, manifests included.
  app.get<{ Params: RunParams & { direction: string } }>(
    "/api/v1/runs/:entity/:project/:id/artifacts/:direction",
    async (request, reply) => {
      const { direction } = request.params;
      if (direction !== "logged" && direction !== "used")
        throw new RunlogError("INVALID_ARGUMENT", "A run's artifacts are listed as /artifacts/logged or /artifacts/used.");
      const path = pathOf(request.params);
      await api.run(path);
      return sendJson(reply, await artifacts.runArtifacts(path, direction === "logged" ? "output" : "input"));
    },
  );

  app.get<{ Params: { entity: string; project: string } }>("/api/v1/artifacts/:entity/:project", async (request, reply) =>
    sendJson(reply, await artifacts.collections(request.params.entity, request.params.project)),
  );

  app.get<{ Params: { entity: string; project: string }; Querystring: Query }>(
    "/api/v1/artifacts/:entity/:project/lineage",
    async (request, reply) => {
      const { entity, project } = request.params;
      const depth = intParam(request.query, "depth");
      if (depth !== undefined && depth < 0) throw new RunlogError("INVALID_ARGUMENT", `depth must be 0 or more, got ${depth}.`);
      const run = request.query.run;
      const versionId = intParam(request.query, "version");
      let start: LineageStart;
      if (run !== undefined && versionId === undefined) {
        start = { runPath: pathOf({ entity, project, id: run }) };
        await api.run(start.runPath);
      } else if (versionId !== undefined && run === undefined) {
        const version = await artifacts.version(versionId);
        // Another entity's version answers exactly as a missing one.
        if (version === undefined || version.entity !== entity)
          throw new RunlogError("ARTIFACT_NOT_FOUND", `No artifact version ${versionId} in entity ${entity}.`);
        start = { versionId };
      } else throw new RunlogError("INVALID_ARGUMENT", "Name where the lineage starts: ?run=<id> or ?version=<version id>, not both.");
      return sendJson(reply, ofEntity(await artifacts.lineage(start, depth), entity));
    },
  );
}

/** The part of a lineage graph an entity may see: its own runs and versions, and the edges between them. */
function ofEntity(graph: LineageGraph, entity: string): LineageGraph {
  const foreign = new Set(graph.versions.filter((v) => v.entity !== entity).map((v) => `artifact:${v.id}`));
  const visible = (node: string) => (node.startsWith("run:") ? node.startsWith(`run:${entity}/`) : !foreign.has(node));
  return {
    runs: graph.runs.filter((run) => run.startsWith(`${entity}/`)),
    versions: graph.versions.filter((v) => v.entity === entity),
    edges: graph.edges.filter((edge) => visible(edge.from) && visible(edge.to)),
  };
}
