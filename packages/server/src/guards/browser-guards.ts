import { isIP } from "node:net";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLoopbackHost } from "../bind-policy.js";
import { routeBody } from "./route-access.js";

export interface BrowserGuardOptions {
  /** True on a server that needs no key: only its own host names may reach it (DNS rebinding). */
  keyless: boolean;
  /** The address the server listens on. */
  boundHost: string;
  /** More host names a keyless server answers to (`--allowed-hosts`, RUNLOG_ALLOWED_HOSTS). */
  allowedHosts?: readonly string[];
}

const deny = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ code, message });

/** The host name of a Host header or an origin's host (`[::1]:6006` → `::1`), lower-cased. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith("[")) return lower.slice(1, lower.indexOf("]") === -1 ? undefined : lower.indexOf("]"));
  if (isIP(lower) === 6) return lower;
  const colon = lower.lastIndexOf(":");
  return colon === -1 ? lower : lower.slice(0, colon);
}

/** Extra allowed hosts from a comma-separated list (the option or RUNLOG_ALLOWED_HOSTS). */
export function parseAllowedHosts(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((host) => hostName(host))
    .filter((host) => host !== "");
}

const mimeOf = (request: FastifyRequest) => {
  const type = request.headers["content-type"];
  return typeof type === "string" ? (type.split(";")[0] ?? "").trim().toLowerCase() : undefined;
};

const EXPECTED = { json: "application/json", binary: "application/octet-stream" } as const;
const BODYLESS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * What a web page could send a server on this machine, refused before any route runs:
 * - a keyless server answers only to its own host names, so a page whose domain was rebound to
 *   127.0.0.1 cannot read it (421);
 * - a write from another origin (a browser always sends `Origin` on cross-origin writes) is 403;
 * - a write route takes only its own content type (415), so `text/plain` or form posts, which a
 *   page may send without asking, never reach a handler.
 */
export function registerBrowserGuards(app: FastifyInstance, options: BrowserGuardOptions): void {
  const allowed = new Set(["localhost", hostName(options.boundHost), ...(options.allowedHosts ?? []).map(hostName)]);
  const ownHost = (name: string) => allowed.has(name) || isLoopbackHost(name);
  // Text bodies are nobody's real content type here; removing the parser turns them into 415s.
  app.removeContentTypeParser("text/plain");

  app.addHook("onRequest", async (request, reply) => {
    const host = request.headers.host;
    if (options.keyless && typeof host === "string" && !ownHost(hostName(host))) {
      return deny(
        reply,
        421,
        "HOST_NOT_ALLOWED",
        `This server answers to its own host names only, not ${JSON.stringify(host.slice(0, 100))}; add it with --allowed-hosts (RUNLOG_ALLOWED_HOSTS) or require API keys.`,
      );
    }
    if (BODYLESS.has(request.method) || request.routeOptions.url === undefined) return;
    const origin = request.headers.origin;
    if (typeof origin === "string" && !sameOrigin(origin, host)) {
      return deny(reply, 403, "CROSS_ORIGIN", `Writes from another origin (${origin.slice(0, 100)}) are refused.`);
    }
    const kind = routeBody(request);
    const mime = mimeOf(request);
    const fits = kind === "none" ? mime === undefined || mime === EXPECTED.json : mime === EXPECTED[kind];
    if (!fits) {
      const wanted = kind === "none" ? "no body" : `Content-Type: ${EXPECTED[kind]}`;
      return deny(
        reply,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `This route takes ${wanted}, not ${JSON.stringify((mime ?? "none").slice(0, 100))}.`,
      );
    }
  });
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}
