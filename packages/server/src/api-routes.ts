import { createReadStream, statSync } from "node:fs";
import { extname } from "node:path";
import { type Api, RunlogError } from "@runlog/core";
import type { FastifyInstance } from "fastify";
import { sendJson } from "./json-reply.js";
import { intParam, listParam, numberParam, type Query, type RunParams, requiredParam } from "./query.js";

const PASSIVE_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".wav": "audio/wav",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
};

/** The read API under /api/v1: projects, runs, history, bucketed series and run files. */
export function registerApiRoutes(app: FastifyInstance, api: Api): void {
  const runOf = (p: RunParams) => api.run(`${p.entity}/${p.project}/${p.id}`);

  app.get("/api/v1/projects", async (_request, reply) => sendJson(reply, await api.projects()));

  app.get<{ Params: { entity: string; project: string }; Querystring: Query }>(
    "/api/v1/projects/:entity/:project/runs",
    async (request, reply) => {
      const { entity, project } = request.params;
      const runs = await api.runs(`${entity}/${project}`, { order: request.query.order ?? "-createdAt" });
      return sendJson(
        reply,
        runs.map((run) => run.toJSON()),
      );
    },
  );

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id", async (request, reply) =>
    sendJson(reply, (await runOf(request.params)).toJSON()),
  );

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/keys", async (request, reply) => {
    const run = await runOf(request.params);
    return sendJson(reply, { history: await run.historyKeys(), system: await run.systemKeys() });
  });

  app.get<{ Params: RunParams; Querystring: Query }>("/api/v1/runs/:entity/:project/:id/series", async (request, reply) => {
    const { query } = request;
    const run = await runOf(request.params);
    const from = numberParam(query, "from");
    const to = numberParam(query, "to");
    const range =
      from === undefined && to === undefined ? undefined : ([from ?? Number.NEGATIVE_INFINITY, to ?? Number.POSITIVE_INFINITY] as const);
    const series = await run.series(requiredParam(query, "key"), { buckets: intParam(query, "buckets", 1000), xAxis: query.xAxis, range });
    return sendJson(reply, series);
  });

  // One page of rows; a media panel asks for one key at one step (minStep = maxStep).
  app.get<{ Params: RunParams; Querystring: Query }>("/api/v1/runs/:entity/:project/:id/history", async (request, reply) => {
    const { query } = request;
    const run = await runOf(request.params);
    const limit = intParam(query, "limit", 1000) as number;
    if (limit < 1 || limit > 10_000) throw new RunlogError("INVALID_ARGUMENT", `limit must be from 1 to 10000, got ${limit}.`);
    const rows = [];
    const scan = run.scanHistory({
      keys: listParam(query, "keys"),
      pageSize: limit,
      minStep: intParam(query, "minStep"),
      maxStep: intParam(query, "maxStep"),
    });
    for await (const row of scan) {
      rows.push(row);
      if (rows.length >= limit) break;
    }
    return sendJson(reply, rows);
  });

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/files", async (request, reply) =>
    sendJson(reply, await (await runOf(request.params)).files()),
  );

  // Passive media keep their type (for <img>/<audio>); everything else, .html included, is an
  // octet-stream download with nosniff, so nothing a run logged can run script on this origin.
  app.get<{ Params: RunParams & { "*": string } }>("/api/v1/runs/:entity/:project/:id/file/*", async (request, reply) => {
    const path = (await runOf(request.params)).filePath(request.params["*"]);
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
      return reply.code(404).send({ code: "FILE_NOT_FOUND", message: `The run has no file ${JSON.stringify(request.params["*"])}.` });
    }
    const type = PASSIVE_TYPES[extname(path).toLowerCase()];
    reply.header("x-content-type-options", "nosniff");
    if (type === undefined) reply.header("content-disposition", "attachment");
    return reply.type(type ?? "application/octet-stream").send(createReadStream(path));
  });
}
