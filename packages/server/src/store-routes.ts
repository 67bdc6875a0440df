import { type FileView, RunlogError, type RunView, type StoreReader, type Stream } from "@runlog/core";
import { CHUNK_FIELDS } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import { canSeeEntity } from "./auth/auth-hook.js";
import { HISTORY_SCAN_ROWS, historyPage, MAX_PAGE_BYTES, sendHistoryPage } from "./history-page.js";
import { sendJson } from "./json-reply.js";
import { boundParam, MAX_PAGE_ROWS, pageLimitParam, type Query, type RunParams, requiredParam } from "./query.js";

type StoreRow = [number, Record<string, unknown>];

/** A run's stored rows over [from, to] in step order, read `batch` at a time (steps are integers, one row each). */
async function* scanRows(reader: StoreReader, view: RunView, from: number, to: number, batch: number): AsyncGenerator<StoreRow> {
  for (let next = from; ; ) {
    const rows = await reader.historyRows(view, next, to, batch);
    yield* rows;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < batch) return;
    next = last[0] + 1;
  }
}

function streamParam(query: Query): Stream {
  const stream = query.stream ?? "history";
  if (stream !== "history" && stream !== "system")
    throw new RunlogError("INVALID_ARGUMENT", `stream must be history or system, got ${JSON.stringify(stream.slice(0, 40))}.`);
  return stream;
}

/**
 * `/api/v1/store/...`: the StoreReader contract over HTTP, for `new Api({ baseUrl })`. Points are
 * fetched by blob id, and only ids that belong to the named run's series are answered.
 */
export function registerStoreRoutes(
  app: FastifyInstance,
  reader: StoreReader,
  maxPageBytes = MAX_PAGE_BYTES,
  /** The run's files as the server's Api lists them (on the embedded store: every file in the run folder). */
  files: (run: RunView) => Promise<FileView[]> = (run) => reader.files(run),
): void {
  const viewOf = async (p: RunParams): Promise<RunView> => {
    const view = await reader.getRun(p.entity, p.project, p.id);
    if (view === undefined) throw new RunlogError("RUN_NOT_FOUND", `Run ${p.entity}/${p.project}/${p.id} was not found.`);
    return view;
  };
  const base = "/api/v1/store/runs/:entity/:project/:id";

  app.get("/api/v1/store/projects", async (request, reply) =>
    sendJson(
      reply,
      (await reader.listProjects()).filter((project) => canSeeEntity(request, project.entity)),
    ),
  );
  app.get<{ Params: { entity: string; project: string } }>("/api/v1/store/projects/:entity/:project/runs", async (request, reply) =>
    sendJson(reply, await reader.listRuns(request.params.entity, request.params.project)),
  );
  app.get<{ Params: RunParams }>(base, async (request, reply) => sendJson(reply, await viewOf(request.params)));
  app.get<{ Params: RunParams; Querystring: Query }>(`${base}/keys`, async (request, reply) =>
    sendJson(reply, await reader.seriesKeys(await viewOf(request.params), streamParam(request.query))),
  );
  app.get<{ Params: RunParams; Querystring: Query }>(`${base}/chunks`, async (request, reply) => {
    const { query } = request;
    const infos = await reader.chunkInfos(
      await viewOf(request.params),
      streamParam(query),
      requiredParam(query, "key"),
      boundParam(query, "from", Number.NEGATIVE_INFINITY),
      boundParam(query, "to", Number.POSITIVE_INFINITY),
    );
    const columns: Record<string, number[]> = {};
    for (const field of CHUNK_FIELDS) columns[field] = Array.from(infos[field].subarray(0, infos.length));
    return sendJson(reply, columns);
  });
  app.post<{ Params: RunParams; Body: { stream?: string; key?: unknown; blobIds?: unknown; from?: unknown; to?: unknown } }>(
    `${base}/points`,
    { config: { access: "read" } },
    async (request, reply) => {
      const body = request.body ?? {};
      const { key, blobIds } = body;
      if (typeof key !== "string" || !Array.isArray(blobIds) || blobIds.length > 100_000 || !blobIds.every(Number.isSafeInteger)) {
        throw new RunlogError("INVALID_ARGUMENT", "points needs { stream, key, blobIds: integer[] (at most 100,000), from, to }.");
      }
      const view = await viewOf(request.params);
      const stream = streamParam({ stream: body.stream });
      // The server's own chunk stats over the steps the chunks cover, so a client cannot name another run's blobs.
      const from = typeof body.from === "number" ? body.from : Number.NEGATIVE_INFINITY;
      const to = typeof body.to === "number" ? body.to : Number.POSITIVE_INFINITY;
      const own = await reader.chunkInfos(view, stream, key, from, to);
      const position = new Map<number, number>();
      for (let i = 0; i < own.length; i++) position.set(own.blobId[i] as number, i);
      const positions = (blobIds as number[]).map((id) => {
        const at = position.get(id);
        if (at === undefined) throw new RunlogError("INVALID_ARGUMENT", `Chunk ${id} is not part of ${key} in this run.`);
        return at;
      });
      const parts = await reader.chunkPoints(view, stream, key, own, positions);
      return sendJson(
        reply,
        parts.map((part) => ({ steps: Array.from(part.steps), values: Array.from(part.values), dense: part.dense ?? false })),
      );
    },
  );
  // Pages bounded by rows and bytes like history pages: when rows are left, `x-next-min-step`
  // is the `from` of the next request (HttpReader follows it).
  app.get<{ Params: RunParams; Querystring: Query }>(`${base}/rows`, async (request, reply) => {
    const { query } = request;
    const limit = pageLimitParam(query, MAX_PAGE_ROWS);
    const from = boundParam(query, "from", Number.NEGATIVE_INFINITY);
    const to = boundParam(query, "to", Number.POSITIVE_INFINITY);
    const scan = scanRows(reader, await viewOf(request.params), from, to, Math.min(limit, HISTORY_SCAN_ROWS));
    return sendHistoryPage(reply, await historyPage(scan, limit, maxPageBytes, ([step]) => step));
  });
  app.get<{ Params: RunParams }>(`${base}/alerts`, async (request, reply) =>
    sendJson(reply, await reader.alerts(await viewOf(request.params))),
  );
  app.get<{ Params: RunParams }>(`${base}/files`, async (request, reply) => sendJson(reply, await files(await viewOf(request.params))));
  app.get<{ Params: RunParams }>(`${base}/spans`, async (request, reply) =>
    sendJson(reply, await reader.spans(await viewOf(request.params))),
  );
}
