import type { FastifyInstance } from "fastify";
import { sendJson } from "../json-reply.js";
import { MAX_LAYOUT_ENTRIES, MAX_LAYOUT_VALUE, parseLayout, type WorkspaceLayouts } from "./workspace-layouts.js";

type ProjectParams = { entity: string; project: string };

/** GET (read) and PUT (write) a project's saved workspace layout; `{ layout: null }` when none was saved. */
export function registerWorkspaceRoutes(app: FastifyInstance, layouts: WorkspaceLayouts): void {
  const path = "/api/v1/projects/:entity/:project/workspace";
  app.get<{ Params: ProjectParams }>(path, async (request, reply) => {
    const saved = await layouts.get(request.params.entity, request.params.project);
    return sendJson(reply, saved ?? { layout: null });
  });
  app.put<{ Params: ProjectParams; Body: unknown }>(
    path,
    { config: { access: "write", body: "json" }, bodyLimit: MAX_LAYOUT_ENTRIES * (MAX_LAYOUT_VALUE + 256) },
    async (request, reply) => {
      const layout = parseLayout(request.body);
      return sendJson(reply, await layouts.put(request.params.entity, request.params.project, layout));
    },
  );
}
