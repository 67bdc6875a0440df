import type { FastifyRequest } from "fastify";

/**
 * What a route needs, decided on the route the router matched (never on the raw URL, which may
 * spell the same route as `/%61pi/…`): "public" needs no key, "read" any key of the entity,
 * "write" a write key. Routes say so in their config; without it, GET/HEAD routes are reads and
 * everything else a write, so a new route is never public by accident.
 */
export type Access = "public" | "read" | "write";

/** The body a write route takes: JSON, bytes (`application/octet-stream`), or none. */
export type BodyKind = "json" | "binary" | "none";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    body?: BodyKind;
  }
}

const READING = new Set(["GET", "HEAD", "OPTIONS"]);

export function routeAccess(request: FastifyRequest): Access {
  const config = request.routeOptions.config as { access?: Access } | undefined;
  // No matched route (the 404 handler): treated as a read, so it too needs a key where keys are required.
  if (request.routeOptions.url === undefined) return "read";
  return config?.access ?? (READING.has(request.method) ? "read" : "write");
}

/** The body kind a route declared; JSON unless it says otherwise. */
export function routeBody(request: FastifyRequest): BodyKind {
  return (request.routeOptions.config as { body?: BodyKind } | undefined)?.body ?? "json";
}
