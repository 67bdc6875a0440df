import type { FastifyInstance } from "fastify";

const hasNul = (value: unknown) => typeof value === "string" && value.includes("\u0000");

/**
 * Route parameters and query values with NUL characters are refused up front: no store can hold
 * them (PostgreSQL text rejects them outright), and no legitimate name contains one.
 */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    const values = [...Object.values((request.params ?? {}) as object), ...Object.values((request.query ?? {}) as object)];
    if (values.some((value) => hasNul(value) || (Array.isArray(value) && value.some(hasNul)))) {
      return reply
        .code(400)
        .send({ code: "INVALID_ARGUMENT", message: "Route parameters and query values may not contain NUL characters." });
    }
  });
}
