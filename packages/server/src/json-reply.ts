import { encodeJson } from "@runlog/core";
import type { FastifyReply } from "fastify";

/** JSON that keeps NaN/±Infinity/bigints (tagged, see core's encodeJson), so summaries survive the trip. */
export function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.type("application/json; charset=utf-8").send(encodeJson(value));
}
