import { setTimeout as sleep } from "node:timers/promises";
import { type Api, encodeJson, RunlogError } from "@runlog/core";
import type { FastifyInstance } from "fastify";
import { HISTORY_SCAN_ROWS, historyPage, MAX_PAGE_BYTES, rowStep } from "./history-page.js";
import { listParam, type Query } from "./query.js";

/** The most runs one stream follows (the workspace shows at most this many live at once). */
export const MAX_FOLLOWED_RUNS = 100;
const MAX_ROWS_PER_PUSH = 5000;

function followed(query: Query): { ids: string[]; after: number[] } {
  const ids = listParam(query, "runs") ?? [];
  if (ids.length === 0 || ids.length > MAX_FOLLOWED_RUNS)
    throw new RunlogError("INVALID_ARGUMENT", `runs must list 1 to ${MAX_FOLLOWED_RUNS} run ids, got ${ids.length}.`);
  if (new Set(ids).size !== ids.length) throw new RunlogError("INVALID_ARGUMENT", "runs lists a run twice.");
  for (const id of ids)
    if (id === "" || id.includes("/")) throw new RunlogError("INVALID_ARGUMENT", `Not a run id: ${JSON.stringify(id.slice(0, 40))}.`);
  const raw = listParam(query, "afterSteps");
  if (raw !== undefined && raw.length !== ids.length)
    throw new RunlogError("INVALID_ARGUMENT", `afterSteps must give one step per run (${ids.length}), got ${raw.length}.`);
  const after = (raw ?? ids.map(() => "-1")).map((text) => {
    const value = Number(text);
    if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(value) || value < -1)
      throw new RunlogError("INVALID_ARGUMENT", `afterSteps must be integers of -1 or more, got ${JSON.stringify(text.slice(0, 40))}.`);
    return value;
  });
  return { ids, after };
}

/**
 * `GET /api/v1/projects/:entity/:project/events?runs=a,b&afterSteps=10,20`: one Server-Sent Events
 * stream for many runs of a project, so a workspace following ten live runs holds one connection,
 * not ten (a browser opens at most six per host over HTTP/1.1; ten streams starved every other
 * request). Pushes `rows` (`{ run, rows }`: only rows after the run's cursor, at most 5000 rows or
 * 4 MiB a push) and `state` (`{ run, state, summary }`, on change); a run leaves the stream when it
 * stops running, and the stream ends when none is left. A client reconnects with its cursors.
 */
export function registerProjectLiveEvents(app: FastifyInstance, api: Api, options: { pollMs?: number; maxPushBytes?: number } = {}): void {
  // Once a second: the workspace draws new points at most every two seconds (pollMs overrides, for tests).
  const pollMs = options.pollMs ?? 1000;
  const maxPushBytes = options.maxPushBytes ?? MAX_PAGE_BYTES;
  app.get<{ Params: { entity: string; project: string }; Querystring: Query }>(
    "/api/v1/projects/:entity/:project/events",
    { config: { access: "read" } },
    async (request, reply) => {
      const { entity, project } = request.params;
      const { ids, after } = followed(request.query);
      const pathOf = (id: string) => `${entity}/${project}/${id}`;
      await Promise.all(ids.map((id) => api.run(pathOf(id)))); // an unknown run is a 404 before the stream starts
      let closed = false;
      request.raw.on("close", () => {
        closed = true;
      });
      reply.hijack();
      reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
      const cursors = new Map(ids.map((id, i) => [id, after[i] as number]));
      const states = new Map<string, string>();
      const active = new Set(ids);
      try {
        while (!closed && active.size > 0) {
          for (const id of [...active]) {
            const run = await api.run(pathOf(id));
            const page = await historyPage(
              run.scanHistory({ minStep: (cursors.get(id) as number) + 1, pageSize: HISTORY_SCAN_ROWS }),
              MAX_ROWS_PER_PUSH,
              maxPushBytes,
              rowStep,
            );
            if (page.lastStep !== undefined) {
              cursors.set(id, page.lastStep);
              reply.raw.write(`event: rows\ndata: {"run":${encodeJson(id)},"rows":${page.json}}\n\n`);
            }
            if (run.state !== states.get(id)) {
              states.set(id, run.state);
              reply.raw.write(`event: state\ndata: ${encodeJson({ run: id, state: run.state, summary: run.summary })}\n\n`);
            }
            if (run.state !== "running" && page.nextStep === undefined) active.delete(id);
          }
          if (active.size > 0) await sleep(pollMs);
        }
      } catch (error) {
        reply.raw.write(`event: error\ndata: ${encodeJson({ message: (error as Error).message })}\n\n`);
      }
      reply.raw.end();
    },
  );
}
