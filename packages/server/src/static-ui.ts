import { existsSync, readFileSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import type { FastifyInstance } from "fastify";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

// Scripts only from this origin; user media and files never run script (see the file route).
// Inline styles are allowed because uPlot positions its elements with style attributes.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Serves the built dashboard (`@runlog/ui`) at `/`. The app routes with the URL hash, so only real
 * files are served; a path outside the app folder is a 404, never a read.
 */
export function registerStaticUi(app: FastifyInstance, dir: string): void {
  const root = resolve(dir);
  const built = existsSync(join(root, "index.html"));
  app.get<{ Params: { "*": string } }>("/*", { config: { access: "public" } }, async (request, reply) => {
    const wanted = request.params["*"] || "index.html";
    if (wanted.startsWith("api/")) {
      return reply.code(404).send({ code: "NOT_FOUND", message: `No route GET /${wanted.slice(0, 200)}.` });
    }
    if (!built) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The dashboard is not built: run `npm run build` (or `npx turbo run build`).");
    }
    const path = resolve(root, wanted);
    if (!path.startsWith(root + sep) || !existsSync(path)) {
      return reply.code(404).send({ code: "NOT_FOUND", message: `No file /${wanted.slice(0, 200)}.` });
    }
    const type = TYPES[extname(path)] ?? "application/octet-stream";
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    if (type.startsWith("text/html")) reply.header("content-security-policy", CSP).header("cache-control", "no-cache");
    else reply.header("cache-control", "public, max-age=31536000, immutable"); // assets carry a content hash
    return reply.type(type).send(readFileSync(path));
  });
}
