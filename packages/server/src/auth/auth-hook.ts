import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { routeAccess } from "../guards/route-access.js";
import type { ApiKeyInfo, KeyStore } from "./api-keys.js";
import { hasApiKey } from "./master-key.js";
import { RateLimiter } from "./rate-limiter.js";

export interface AuthOptions {
  keys: KeyStore;
  /** When false (a loopback server with no keys asked for), requests need no key. */
  required: boolean;
  /** The server's single legacy key (`--api-key`, RUNLOG_API_KEY): write access to every entity. */
  masterKey: string | undefined;
  /** Requests per second per key (default 200, burst 5× that); 0 turns limiting off. */
  rateLimit?: number;
  /** Failed authentications per second per client address (default 2, burst 20); 0 turns it off. */
  authFailureRate?: number;
}

const MASTER: ApiKeyInfo = { id: "master", entity: "*", scope: "write", description: "--api-key", createdAt: 0, revokedAt: undefined };

declare module "fastify" {
  interface FastifyRequest {
    /** The key the request was made with; undefined on a server that needs none. */
    apiKey?: ApiKeyInfo;
  }
}

export const SESSION_COOKIE = "runlog_key";

function cookieKey(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

/**
 * The key from `Authorization: Bearer`, `x-api-key`, or, for reads only, the dashboard's session
 * cookie (an <img> cannot send a header; SameSite=Strict keeps other sites from using it, and
 * writes never accept it).
 */
function givenKey(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice(7);
  const header = request.headers["x-api-key"];
  if (typeof header === "string") return header;
  return request.method === "GET" || request.method === "HEAD" ? cookieKey(request) : undefined;
}

/** The entity a route names (`/api/v1/<...>/:entity/...`), read from the matched route's params. */
function routeEntity(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, unknown> | undefined;
  return typeof params?.entity === "string" ? params.entity : undefined;
}

const deny = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ code, message });

/**
 * Every route checks the key unless it is marked public (the health check, the dashboard's files):
 * decided on the route the router matched, so no spelling of a path skips it. 401 for a missing,
 * unknown or revoked key (429 once an address fails too often); 403 for a read key on a write
 * route or a key of another entity; 429 past the key's rate.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const limiter = new RateLimiter(options.rateLimit ?? 200, (options.rateLimit ?? 200) * 5);
  const failureRate = options.authFailureRate ?? 2;
  const failures = new RateLimiter(failureRate, failureRate * 10);
  app.addHook("onRequest", async (request, reply) => {
    const access = routeAccess(request);
    if (access === "public") return;
    const key = givenKey(request);
    if (!options.required && key === undefined) return;
    // Guessing keys: an address that keeps failing waits, whichever keys it tries.
    const failedWait = failures.peek(request.ip);
    if (failedWait > 0) {
      reply.header("retry-after", String(failedWait));
      return deny(reply, 429, "RATE_LIMITED", `Too many failed authentications from ${request.ip}; retry after ${failedWait} s.`);
    }
    let info: ApiKeyInfo | undefined;
    if (key !== undefined && options.masterKey !== undefined && hasApiKey(request.headers, options.masterKey)) info = MASTER;
    else if (key !== undefined && key.length <= 256) info = await options.keys.find(key);
    if (info === undefined) {
      failures.take(request.ip);
      return deny(
        reply,
        401,
        "UNAUTHORIZED",
        "Send a valid API key as `Authorization: Bearer <key>` (create one with `runlog server keys create`).",
      );
    }
    const wait = limiter.take(info.id);
    if (wait > 0) {
      reply.header("retry-after", String(wait));
      return deny(reply, 429, "RATE_LIMITED", `Too many requests for key ${info.id}; retry after ${wait} s.`);
    }
    if (access === "write" && info.scope !== "write")
      return deny(reply, 403, "FORBIDDEN", `Key ${info.id} is read-only; logging needs a write key.`);
    const entity = routeEntity(request);
    if (info.entity !== "*" && entity !== undefined && entity !== info.entity) {
      return deny(reply, 403, "FORBIDDEN", `Key ${info.id} belongs to entity "${info.entity}", not "${entity.slice(0, 128)}".`);
    }
    request.apiKey = info;
  });

  // What the dashboard may do with the key it holds, so a read-only one hides its edit controls.
  // `entity` is the key's ("*": every entity); null without a key (a keyless server, where anyone may write).
  app.get("/api/v1/session", { config: { access: "read" } }, async (request, reply) => {
    const key = request.apiKey;
    return reply.send({ keyRequired: options.required, write: key === undefined || key.scope === "write", entity: key?.entity ?? null });
  });

  // The dashboard trades the key it was given for an HttpOnly cookie, so media and downloads load too.
  app.post("/api/v1/session", { config: { access: "read", body: "none" }, bodyLimit: 1024 }, async (request, reply) => {
    const key = givenKey(request);
    if (key === undefined) return reply.code(204).send();
    const secure = request.protocol === "https" ? "; Secure" : "";
    reply.header("set-cookie", `${SESSION_COOKIE}=${encodeURIComponent(key)}; HttpOnly; SameSite=Strict; Path=/api/${secure}`);
    return reply.code(204).send();
  });
}

/** For routes that list across entities: what a key may see. */
export function canSeeEntity(request: FastifyRequest, entity: string): boolean {
  return request.apiKey === undefined || request.apiKey.entity === "*" || request.apiKey.entity === entity;
}
