import { setTimeout as sleep } from "node:timers/promises";
import { type Api, encodeJson } from "@runlog/core";
import type { FastifyInstance } from "fastify";
import { HISTORY_SCAN_ROWS, historyPage, MAX_PAGE_BYTES, rowStep } from "./history-page.js";
import { intParam, type Query, type RunParams } from "./query.js";

const MAX_ROWS_PER_PUSH = 5000;

/**
 * `GET /api/v1/runs/:entity/:project/:id/events?afterStep=N`: Server-Sent Events that push only
 * what is new — `rows` (history rows after the last step sent, at most 5000 rows or 4 MiB a push)
 * and `state` (on change) — and end
 * once the run is no longer running. A client reconnects with the last step it holds.
 */
export function registerLiveEvents(app: FastifyInstance, api: Api, options: { pollMs?: number; maxPushBytes?: number } = {}): void {
  const pollMs = options.pollMs ?? 500;
  const maxPushBytes = options.maxPushBytes ?? MAX_PAGE_BYTES;
  app.get<{ Params: RunParams; Querystring: Query }>("/api/v1/runs/:entity/:project/:id/events", async (request, reply) => {
    const path = `${request.params.entity}/${request.params.project}/${request.params.id}`;
    let afterStep = intParam(request.query, "afterStep", -1) as number;
    await api.run(path); // an unknown run is a 404 before the stream starts
    let closed = false;
    request.raw.on("close", () => {
      closed = true;
    });
    reply.hijack();
    reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
    const send = (event: string, data: unknown) => reply.raw.write(`event: ${event}\ndata: ${encodeJson(data)}\n\n`);
    let state: string | undefined;
    try {
      while (!closed) {
        const run = await api.run(path);
        const page = await historyPage(
          run.scanHistory({ minStep: afterStep + 1, pageSize: HISTORY_SCAN_ROWS }),
          MAX_ROWS_PER_PUSH,
          maxPushBytes,
          rowStep,
        );
        if (page.lastStep !== undefined) {
          afterStep = page.lastStep;
          reply.raw.write(`event: rows\ndata: ${page.json}\n\n`);
        }
        if (run.state !== state) {
          state = run.state;
          send("state", { state, summary: run.summary });
        }
        if (state !== "running" && page.nextStep === undefined) break;
        await sleep(pollMs);
      }
    } catch (error) {
      send("error", { message: (error as Error).message });
    }
    reply.raw.end();
  });
}
