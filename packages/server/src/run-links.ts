import { existsSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { FastifyInstance } from "fastify";

/**
 * `run.url`, `run.projectUrl` and `run.sweepUrl` are W&B-style page addresses
 * (`/<entity>/<project>`, `…/runs/<id>`, `…/sweeps/<id>`). The dashboard routes by URL hash, so
 * these redirect to its views: the project's workspace (its default view, where the dashboard's own
 * project links go, as W&B's project URL opens the workspace), the run page, the sweep page.
 */
export function registerRunLinks(app: FastifyInstance, appDir: string): void {
  const root = resolve(appDir);
  app.addHook("onRequest", async (request, reply) => {
    if (request.method !== "GET" && request.method !== "HEAD") return;
    const target = dashboardTarget(request.url, root);
    if (target !== undefined) return reply.redirect(target, 302);
  });
}

/** The dashboard address for a page address, or undefined when the path is anything else. */
export function dashboardTarget(url: string, appRoot: string): string | undefined {
  const path = url.split("?", 1)[0] ?? "";
  const raw = path.replace(/^\//, "").replace(/\/$/, "").split("/");
  if (raw.length !== 2 && raw.length !== 4) return undefined;
  let parts: string[];
  try {
    parts = raw.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (parts.some((part) => part === "" || part === "." || part === ".." || part.includes("/") || part.includes("\0"))) return undefined;
  const [entity = "", project = "", kind, id = ""] = parts;
  if (entity === "api") return undefined;
  const scope = `${encodeURIComponent(entity)}/${encodeURIComponent(project)}`;
  if (parts.length === 2) {
    // Two segments may also be a file of the app (`/assets/index-….js`): that is served as it is.
    const file = resolve(appRoot, entity, project);
    if (file.startsWith(appRoot + sep) && existsSync(join(appRoot, entity, project))) return undefined;
    return `/#/w/${scope}`;
  }
  if (kind === "runs") return `/#/r/${scope}/${encodeURIComponent(id)}`;
  if (kind === "sweeps") return `/#/s/${scope}/${encodeURIComponent(id)}`;
  return undefined;
}
