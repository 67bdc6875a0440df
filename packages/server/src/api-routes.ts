import { extname } from "node:path";
import { type Api, RunlogError, type StoreReader } from "@runlog/core";
import { type EncodedRow, safeRelativePath, scanRowsJson } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import { canSeeEntity } from "./auth/auth-hook.js";
import type { RunFileStore } from "./files/run-files.js";
import { HISTORY_SCAN_ROWS, historyPage, MAX_PAGE_BYTES, rowStep, sendHistoryPage } from "./history-page.js";
import { sendJson } from "./json-reply.js";
import { intParam, listParam, numberParam, pageLimitParam, type Query, type RunParams, requiredParam } from "./query.js";
import { runsPage } from "./runs-page.js";

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

const MAX_COMPARED_RUNS = 200;

const encodedStep = (row: EncodedRow) => row.step;
const encodedJson = (row: EncodedRow) => row.json;

function seriesOptions(query: Query) {
  const from = numberParam(query, "from");
  const to = numberParam(query, "to");
  const range =
    from === undefined && to === undefined ? undefined : ([from ?? Number.NEGATIVE_INFINITY, to ?? Number.POSITIVE_INFINITY] as const);
  return { buckets: intParam(query, "buckets", 1000), xAxis: query.xAxis, range };
}

/** The read API under /api/v1: projects, runs, history, bucketed series and run files. */
export function registerApiRoutes(
  app: FastifyInstance,
  api: Api,
  files: RunFileStore,
  maxPageBytes = MAX_PAGE_BYTES,
  /** The store `api` reads: every-key history pages are encoded straight from its chunks (scanRowsJson). */
  reader?: StoreReader,
): void {
  const runOf = (p: RunParams) => api.run(`${p.entity}/${p.project}/${p.id}`);

  app.get("/api/v1/projects", async (request, reply) =>
    sendJson(
      reply,
      (await api.projects()).filter((project) => canSeeEntity(request, project.entity)),
    ),
  );

  app.get<{ Params: { entity: string; project: string }; Querystring: Query }>(
    "/api/v1/projects/:entity/:project/runs",
    async (request, reply) => sendJson(reply, await runsPage(api, `${request.params.entity}/${request.params.project}`, request.query)),
  );

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id", async (request, reply) =>
    sendJson(reply, (await runOf(request.params)).toJSON()),
  );

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/keys", async (request, reply) => {
    const run = await runOf(request.params);
    return sendJson(reply, { history: await run.historyKeys(), system: await run.systemKeys() });
  });

  app.get<{ Params: RunParams; Querystring: Query }>("/api/v1/runs/:entity/:project/:id/series", async (request, reply) => {
    const run = await runOf(request.params);
    return sendJson(reply, await run.series(requiredParam(request.query, "key"), seriesOptions(request.query)));
  });

  // The workspace's sections: many runs' keys in one request (a request per run took the
  // browser's six connections while the first panels waited to ask for their series).
  app.get<{ Params: { entity: string; project: string }; Querystring: Query }>(
    "/api/v1/projects/:entity/:project/keys",
    { config: { access: "read" } },
    async (request, reply) => {
      const { entity, project } = request.params;
      const ids = listParam(request.query, "runs") ?? [];
      if (ids.length === 0 || ids.length > MAX_COMPARED_RUNS) {
        throw new RunlogError("INVALID_ARGUMENT", `runs must list 1 to ${MAX_COMPARED_RUNS} run ids, got ${ids.length}.`);
      }
      if (new Set(ids).size !== ids.length) throw new RunlogError("INVALID_ARGUMENT", "runs lists a run twice.");
      for (const id of ids)
        if (id === "" || id.includes("/")) throw new RunlogError("INVALID_ARGUMENT", `Not a run id: ${JSON.stringify(id.slice(0, 40))}.`);
      const results = await Promise.all(
        ids.map(async (id) => {
          const run = await runOf({ entity, project, id });
          return [id, { history: await run.historyKeys(), system: await run.systemKeys() }];
        }),
      );
      return sendJson(reply, Object.fromEntries(results));
    },
  );

  // The compare chart: one key for many runs in one request, on one bucket grid when from/to are given.
  app.get<{ Params: { entity: string; project: string }; Querystring: Query }>(
    "/api/v1/projects/:entity/:project/series",
    async (request, reply) => {
      const { entity, project } = request.params;
      const ids = listParam(request.query, "runs") ?? [];
      if (ids.length === 0 || ids.length > MAX_COMPARED_RUNS) {
        throw new RunlogError("INVALID_ARGUMENT", `runs must list 1 to ${MAX_COMPARED_RUNS} run ids, got ${ids.length}.`);
      }
      const key = requiredParam(request.query, "key");
      const options = seriesOptions(request.query);
      const results = await Promise.all(ids.map(async (id) => [id, await (await runOf({ entity, project, id })).series(key, options)]));
      return sendJson(reply, Object.fromEntries(results));
    },
  );

  // One page of rows; a media panel asks for one key at one step (minStep = maxStep). A page ends
  // at `limit` rows or `maxPageBytes` of JSON, whichever comes first; when more rows follow,
  // `x-next-min-step` says where the next page starts (ask again with minStep set to it).
  app.get<{ Params: RunParams; Querystring: Query }>("/api/v1/runs/:entity/:project/:id/history", async (request, reply) => {
    const { query } = request;
    const run = await runOf(request.params);
    const limit = pageLimitParam(query, 1000);
    const keys = listParam(query, "keys");
    const window = {
      pageSize: Math.min(limit, HISTORY_SCAN_ROWS),
      minStep: intParam(query, "minStep"),
      maxStep: intParam(query, "maxStep"),
    };
    const view = keys === undefined && reader !== undefined ? await reader.getRun(run.entity, run.project, run.id) : undefined;
    if (reader !== undefined && view !== undefined) {
      const from = window.minStep ?? 0;
      const scan = scanRowsJson(reader, view, { pageSize: window.pageSize, from, until: window.maxStep ?? Number.MAX_SAFE_INTEGER });
      return sendHistoryPage(reply, await historyPage(scan, limit, maxPageBytes, encodedStep, encodedJson));
    }
    const scan = run.scanHistory({ keys, ...window });
    return sendHistoryPage(reply, await historyPage(scan, limit, maxPageBytes, rowStep));
  });

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/traces", async (request, reply) =>
    sendJson(reply, await (await runOf(request.params)).traces()),
  );

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/alerts", async (request, reply) =>
    sendJson(reply, await (await runOf(request.params)).alerts()),
  );

  app.get<{ Params: RunParams }>("/api/v1/runs/:entity/:project/:id/files", async (request, reply) =>
    sendJson(reply, await (await runOf(request.params)).files()),
  );

  // Passive media keep their type (for <img>/<audio>); everything else, .html included, is an
  // octet-stream download with nosniff, so nothing a run logged can run script on this origin.
  // `?offset=N` sends the bytes from N on (the console tail asks only for what it has not seen).
  app.get<{ Params: RunParams & { "*": string }; Querystring: Query }>(
    "/api/v1/runs/:entity/:project/:id/file/*",
    async (request, reply) => {
      await runOf(request.params);
      const name = safeRelativePath(request.params["*"], "run file");
      const offset = intParam(request.query, "offset", 0) as number;
      if (offset < 0) throw new RunlogError("INVALID_ARGUMENT", `offset must be 0 or more, got ${offset}.`);
      const file = await files.open(request.params, name, offset);
      if (file === undefined) {
        return reply.code(404).send({ code: "FILE_NOT_FOUND", message: `The run has no file ${JSON.stringify(name)}.` });
      }
      const type = PASSIVE_TYPES[extname(name).toLowerCase()];
      reply.header("x-content-type-options", "nosniff");
      reply.header("x-file-size", String(file.size));
      if (type === undefined) reply.header("content-disposition", "attachment");
      if (offset >= file.size) {
        file.stream.destroy();
        return reply.type(type ?? "application/octet-stream").send("");
      }
      return reply.type(type ?? "application/octet-stream").send(file.stream);
    },
  );
}
