import { validateRunId, validateScopeName } from "@runlog/core/store-kit";
import type { FastifyInstance } from "fastify";
import { routeAccess } from "./guards/route-access.js";

const hasNul = (value: unknown) => typeof value === "string" && value.includes("\u0000");

/**
 * Route parameters and query values with NUL characters are refused up front: no store can hold
 * them (PostgreSQL text rejects them outright), and no legitimate name contains one. Writes must
 * name entity, project and run as init() allows.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    const values = [...Object.values((request.params ?? {}) as object), ...Object.values((request.query ?? {}) as object)];
    if (values.some((value) => hasNul(value) || (Array.isArray(value) && value.some(hasNul)))) {
      return reply
        .code(400)
        .send({ code: "INVALID_ARGUMENT", message: "Route parameters and query values may not contain NUL characters." });
    }
    // What is written must be addressable as init() would name it: entity, project and run id rules.
    if (routeAccess(request) === "write") {
      const params = (request.params ?? {}) as Record<string, string | undefined>;
      if (params.entity !== undefined) validateScopeName("entity", params.entity);
      if (params.project !== undefined) validateScopeName("project", params.project);
      if (params.id !== undefined) validateRunId(params.id);
    }
  });
}
